#include "parley/cli/demo_stream.h"

#include <array>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "parley/telemetry/log.h"

namespace parley::cli {
namespace {

using nlohmann::json;

struct Template {
  const char* text;  // {flight}, {ref} and {n} are filled in
  int weight;
};

// What customers write to an airline, in the languages its customers write in.
constexpr std::array<Template, 26> kTemplates{{
    {"@AcmeAirHelp my flight {flight} was cancelled and nobody tells me anything. Terrible.", 6},
    {"Lost my bag on {flight}, it's been 3 days now and no reply from @AcmeAirHelp", 5},
    {"@AcmeAirHelp my refund for booking {ref} still hasn't arrived after 6 weeks!!", 5},
    {"@AcmeAirHelp how do I add a checked bag to booking {ref}?", 4},
    {"Does {flight} tomorrow have wifi on board? @AcmeAirHelp", 3},
    {"Huge thanks to the crew of {flight}, they looked after my mum so well ❤️", 3},
    {"@AcmeAirHelp I was charged twice for booking {ref}, please fix this", 4},
    {"Can't log in to my Acme Air account, password reset email never comes", 3},
    {"@AcmeAirHelp staff at gate B12 were rude to my family on {flight}", 3},
    {"@AcmeAirHelp mi vuelo {flight} lleva 3 horas de retraso y nadie informa", 3},
    {"¿Cómo cambio la fecha de mi reserva {ref}? @AcmeAirHelp", 2},
    {"Gracias @AcmeAirHelp, el vuelo {flight} fue perfecto", 1},
    {"@AcmeAirHelp mon bagage est perdu depuis le vol {flight}, aucune réponse", 2},
    {"Merci pour l'accueil à bord du {flight} !", 1},
    {"@AcmeAirHelp Flug {flight} gestrichen, wann bekomme ich mein Geld zurück?", 2},
    {"@AcmeAirHelp meu voo {flight} atrasou e perdi a conexão em Lisboa", 2},
    {"@AcmeAirHelp il mio volo {flight} è stato cancellato, cosa devo fare?", 1},
    {"WIN a FREE trip to Bali!!! click http://bit.ly/fr33{n} http://bit.ly/w1n{n}", 2},
    {"Follow me for cheap flight hacks http://spam.example/{n} #travel #deal", 1},
    {"watching planes at the airport today lol", 1},
    {"that Acme Air advert is on TV again", 1},
    {"RT @travelnews: Acme Air adds new routes to Lisbon and Porto", 1},
    {"@AcmeAirHelp is there a fee to choose my seat on {flight}?", 2},
    {"@AcmeAirHelp my card number is 4111 1111 1111 1111, please refund booking {ref}", 1},
    {"Booking {ref}: my name is misspelled on the ticket, can you correct it?", 2},
    {"Best cabin crew ever on {flight} today, thank you @AcmeAir!", 2},
}};

// What customers write to a bank (the demo's second brand).
constexpr std::array<Template, 16> kBankTemplates{{
    {"@NorthwindHelp my card was declined at the supermarket but I have money in my account??", 5},
    {"@NorthwindHelp a transfer of 250 EUR left my account on Monday and never arrived", 5},
    {"@NorthwindHelp there's a payment I don't recognise on my statement, is this fraud?", 4},
    {"@NorthwindHelp how do I raise my daily card limit in the app?", 3},
    {"Can't log in to the Northwind app since the update, it says my device isn't trusted", 4},
    {"@NorthwindHelp what's the rate on the new fixed savings account?", 2},
    {"Thank you Northwind, the branch team in Leeds sorted my mortgage question in 10 minutes", 2},
    {"@NorthwindHelp my IBAN is GB82 WEST 1234 5698 7654 32, why was the payment returned?", 1},
    {"@NorthwindHelp mi tarjeta está bloqueada y estoy de viaje, ¿qué hago?", 2},
    {"@NorthwindHelp ma carte a été avalée par le distributeur, que faire ?", 1},
    {"@NorthwindHelp Überweisung seit drei Tagen nicht angekommen", 1},
    {"@NorthwindHelp charged an overdraft fee even though I was never overdrawn. Not happy.", 3},
    {"Free crypto giveaway!!! send 0.1 BTC get 1 BTC back http://scam.example/{n}", 1},
    {"walked past a Northwind branch today, they repainted it", 1},
    {"@NorthwindHelp how long does it take to open a business account?", 2},
    {"Great app update from Northwind, finally dark mode", 2},
}};

// What everyone writes during an outage.
constexpr std::array<const char*, 6> kOutage{{
    "@AcmeAirHelp your app is down, I can't check in for {flight}!!",
    "Is the Acme Air website down?? Can't check in and my flight leaves in 2 hours",
    "@AcmeAirHelp check-in broken again. Error 500 every time. Fix it!",
    "acme air app crashing on check-in, anyone else?",
    "@AcmeAirHelp the app says my booking {ref} doesn't exist. Panic.",
    "@AcmeAirHelp la app no funciona, no puedo hacer el check-in",
}};

struct Person {
  const char* handle;
  const char* name;
  std::int64_t followers;
};

// The authors: most with a few hundred followers, some influencers.
constexpr std::array<Person, 18> kPeople{{
    {"jane_travels", "Jane Porter", 48'200},
    {"sam_k", "Sam Kim", 310},
    {"mariagl", "María García", 1'250},
    {"lucas_b", "Lucas Bernard", 540},
    {"anna_m", "Anna Müller", 220},
    {"joao_p", "João Pereira", 95},
    {"travelwithtom", "Tom Hayes", 812'000},
    {"priya_s", "Priya Shah", 3'100},
    {"dave_o", "Dave O'Neill", 150},
    {"li_wei", "Li Wei", 720},
    {"chloe_r", "Chloé Roux", 2'400},
    {"giulia_v", "Giulia Verdi", 380},
    {"frequentflyermax", "Max Müller", 126'000},
    {"ben_t", "Ben Taylor", 60},
    {"sofia_l", "Sofía López", 910},
    {"omar_h", "Omar Haddad", 1'780},
    {"deals4u_bot", "Deals 4 U", 12},
    {"emma_w", "Emma Wilson", 430},
}};

std::string Fill(std::string text, std::mt19937_64& random, std::uint64_t n) {
  auto replace = [&text](const std::string& key, const std::string& value) {
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
      text.replace(at, key.size(), value);
    }
  };
  replace("{flight}", "AA" + std::to_string(100 + random() % 900));
  replace("{ref}", "QX" + std::to_string(1000 + random() % 9000));
  replace("{n}", std::to_string(n));
  return text;
}

// A UTC time in a strftime format: X's "Mon Nov 23 08:00:00 +0000 2026", RFC 5322's date.
std::string FormatUtc(std::int64_t unix_seconds, const char* format) {
  const std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  std::strftime(out, sizeof out, format, &tm);
  return out;
}

}  // namespace

std::string DemoPayload(const domain::ChannelAccount& account, const DemoMessage& m) {
  const std::string& page = account.platform_account_id;
  switch (account.kind) {
    case domain::ChannelKind::kX:
      return json({{"for_user_id", page},
                   {"tweet_create_events",
                    {{{"id_str", m.id},
                      {"text", m.text},
                      {"created_at", FormatUtc(m.unix_seconds, "%a %b %d %H:%M:%S +0000 %Y")},
                      {"user",
                       {{"id_str", m.user_id},
                        {"screen_name", m.handle},
                        {"name", m.name},
                        {"followers_count", m.followers}}}}}}})
          .dump();
    case domain::ChannelKind::kFacebook:
      return json({{"object", "page"},
                   {"entry",
                    {{{"id", page},
                      {"time", m.unix_seconds},
                      {"changes",
                       {{{"field", "feed"},
                         {"value",
                          {{"item", "comment"},
                           {"verb", "add"},
                           {"comment_id", page + "_" + m.id},
                           {"post_id", page + "_100"},
                           {"message", m.text},
                           {"created_time", m.unix_seconds},
                           {"from", {{"id", m.user_id}, {"name", m.name}}}}}}}}}}}})
          .dump();
    case domain::ChannelKind::kInstagram:
      return json({{"object", "instagram"},
                   {"entry",
                    {{{"id", page},
                      {"time", m.unix_seconds},
                      {"changes",
                       {{{"field", "comments"},
                         {"value",
                          {{"id", m.id},
                           {"text", m.text},
                           {"from", {{"id", m.user_id}, {"username", m.handle}}},
                           {"media", {{"id", "1790000000"}}}}}}}}}}}})
          .dump();
    case domain::ChannelKind::kWhatsApp:
      return json({{"object", "whatsapp_business_account"},
                   {"entry",
                    {{{"id", "demo-waba"},
                      {"changes",
                       {{{"field", "messages"},
                         {"value",
                          {{"messaging_product", "whatsapp"},
                           {"metadata", {{"phone_number_id", page}}},
                           {"contacts", {{{"profile", {{"name", m.name}}}, {"wa_id", m.user_id}}}},
                           {"messages",
                            {{{"from", m.user_id},
                              {"id", "wamid.demo" + m.id},
                              {"timestamp", std::to_string(m.unix_seconds)},
                              {"type", "text"},
                              {"text", {{"body", m.text}}}}}}}}}}}}}}})
          .dump();
    case domain::ChannelKind::kEmail: {
      const std::string subject = m.text.substr(0, m.text.find_first_of(".!?,", 20));
      return "From: " + m.name + " <" + m.handle + "@customers.example>\r\nTo: " + page +
             "\r\nSubject: " + subject + "\r\nMessage-ID: <demo-" + m.id +
             "@customers.example>\r\nDate: " +
             FormatUtc(m.unix_seconds, "%a, %d %b %Y %H:%M:%S +0000") +
             "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + m.text +
             "\r\n\r\n-- \r\n" + m.name + "\r\n";
    }
    case domain::ChannelKind::kWebChat:
      return json({{"visitor", "visitor:demo-" + m.user_id + "-0000000000"},
                   {"verified", false},
                   {"name", m.name},
                   {"client_id", m.id},
                   {"text", m.text}})
          .dump();
    case domain::ChannelKind::kGeneric:
      return json({{"id", m.id},
                   {"kind", "review"},
                   {"text", m.text},
                   {"author", {{"id", m.user_id}, {"handle", m.handle}, {"name", m.name}}}})
          .dump();
  }
  return "{}";
}

void DemoStream::Run() {
  using std::chrono::milliseconds;
  std::exponential_distribution<double> gap(1.0 / 1800.0);  // a message every 1.8 s on average
  auto next_spike = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  int spike_left = 0;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (spike_left == 0 && now >= next_spike) {
      spike_left = 25;  // an outage: a burst everyone writes about
      next_spike = now + std::chrono::minutes(4) + std::chrono::seconds(random_() % 120);
    }
    const milliseconds wait = spike_left > 0 ? milliseconds(300 + random_() % 900)
                                             : milliseconds(static_cast<long>(gap(random_)));
    if (!loop_.Sleep(wait)) return;
    Post(spike_left > 0);
    if (spike_left > 0) --spike_left;
  }
}

void DemoStream::Post(bool spike) {
  std::vector<domain::ChannelAccount> accounts;
  for (const auto kind :
       {domain::ChannelKind::kX, domain::ChannelKind::kFacebook, domain::ChannelKind::kInstagram,
        domain::ChannelKind::kWhatsApp, domain::ChannelKind::kEmail, domain::ChannelKind::kWebChat,
        domain::ChannelKind::kGeneric}) {
    for (auto& account : app_.directory().AccountsOfKind(kind)) {
      // X carries most of the noise, and every outage.
      const int share = kind == domain::ChannelKind::kX ? 4 : 1;
      if (spike && kind != domain::ChannelKind::kX) continue;
      for (int i = 0; i < share; ++i) accounts.push_back(account);
    }
  }
  if (accounts.empty()) return;
  const domain::ChannelAccount& account = accounts[random_() % accounts.size()];
  // The bank writes about banking; every other brand is the airline.
  bool bank = false;
  for (const auto& workspace : app_.directory().Workspaces()) {
    if (workspace.id == account.workspace_id) bank = workspace.slug == "northwind-bank";
  }
  const auto templates =
      bank ? std::span<const Template>(kBankTemplates) : std::span<const Template>(kTemplates);
  int total = 0;
  for (const auto& t : templates) total += t.weight;
  int pick = static_cast<int>(random_() % static_cast<std::uint64_t>(total));
  std::string text;
  if (spike && !bank) {
    text = kOutage[random_() % kOutage.size()];
  } else {
    for (const auto& t : templates) {
      if ((pick -= t.weight) < 0) {
        text = t.text;
        break;
      }
    }
  }
  const Person& person = kPeople[random_() % kPeople.size()];
  DemoMessage m;
  const auto now = app_.clock().Now();
  m.unix_seconds = core::ToMillis(now) / 1000;
  m.id = std::to_string(1'900'000'000'000'000'000 + m.unix_seconds * 1000 + next_id_++);
  m.text = Fill(text, random_, next_id_);
  m.user_id = std::to_string(5'000'000 + (&person - kPeople.data()));
  m.handle = person.handle;
  m.name = person.name;
  m.followers = person.followers;

  storage::RawPayload payload;
  payload.channel = account.kind;
  payload.account_id = account.id;
  payload.source = "demo:stream";
  payload.headers_json = "{}";
  payload.body = DemoPayload(account, m);
  payload.received_at = now;
  app_.inbox().Append(std::move(payload), [](const core::Result<domain::RawPayloadId>& stored) {
    if (!stored.ok()) {
      telemetry::LogWarn("demo.not_stored", {{"error", stored.error().ToString()}});
    }
  });
}

}  // namespace parley::cli
