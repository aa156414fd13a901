#include "parley/triage/triage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "parley/triage/language.h"
#include "parley/triage/patterns.h"
#include "parley/triage/pii.h"
#include "parley/triage/sentiment.h"

namespace parley::triage {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TriageInput Input(std::string text, std::string handle = {}, std::int64_t followers = 0) {
  TriageInput input;
  input.text = std::move(text);
  input.author_handle = std::move(handle);
  input.followers = followers;
  return input;
}

class FixedClock : public core::Clock {
 public:
  core::Timestamp Now() const override { return now; }
  core::Timestamp now = core::FromMillis(1'790'000'000'000);
};

// The examples VADER's README prints, with their published compound scores.
TEST(Sentiment, ReproducesVaderReadmeExamples) {
  const std::pair<const char*, double> examples[] = {
      {"VADER is smart, handsome, and funny.", 0.8316},
      {"VADER is smart, handsome, and funny!", 0.8439},
      {"VADER is very smart, handsome, and funny.", 0.8545},
      {"VADER is VERY SMART, handsome, and FUNNY.", 0.9227},
      {"VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342},
      {"VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469},
      {"VADER is not smart, handsome, nor funny.", -0.7424},
      {"The book was good.", 0.4404},
      {"At least it isn't a horrible book.", 0.431},
      {"The book was only kind of good.", 0.3832},
      {"The plot was good, but the characters are uncompelling and the dialog is not great.",
       -0.7042},
      {"Today SUX!", -0.5461},
      {"Today only kinda sux! But I'll get by, lol", 0.5249},
      {"Make sure you :) or :D today!", 0.8633},
      {"Not bad at all", 0.431},
  };
  for (const auto& [text, expected] : examples) {
    EXPECT_NEAR(SentimentAnalyzer::Default().Score(text).compound, expected, 0.0005) << text;
  }
}

TEST(Sentiment, EmojiCountFromTheEmojiSentimentRanking) {
  const auto& analyzer = SentimentAnalyzer::Default();
  EXPECT_GT(analyzer.Score("my order came 😍").compound, 0.3);
  EXPECT_LT(analyzer.Score("my order came 😡").compound, -0.1);
  EXPECT_GT(analyzer.Score("great😍").compound, analyzer.Score("great").compound);
}

// Two readings VADER's lexicon cannot tell apart: "like" comparing rather than liking, and a
// sentiment word inside a name.
TEST(Sentiment, LikeThatComparesAndWordsInNamesCarryNone) {
  const auto& analyzer = SentimentAnalyzer::Default();
  for (const char* neutral :
       {"It looks like rain tomorrow", "feels like a Monday", "something like that",
        "Like, why is the queue this long", "I would like to change my seat",
        "watching the Super Bowl tonight", "tickets for Manchester United on Sunday"}) {
    EXPECT_EQ(analyzer.Score(neutral).compound, 0) << neutral;
  }
  EXPECT_GT(analyzer.Score("I like the new app").compound, 0.3);
  EXPECT_GT(analyzer.Score("we really like it").compound, 0.3);
  EXPECT_GT(analyzer.Score("Super day at the beach").compound, 0.3);  // the first word, not a name
  EXPECT_GT(analyzer.Score("a super day").compound, 0.3);
  // A sentence's first word is capitalised by convention, and punctuation ends a name.
  EXPECT_GT(analyzer.Score("Home at last. Happy Monday").compound, 0.3);
  EXPECT_GT(analyzer.Score("what a day! Wow! Eksaherada").compound, 0.3);
  EXPECT_GT(analyzer.Score("we met Ana, Brilliant").compound, 0.3);
  EXPECT_EQ(analyzer.Score("see you at the Happy Valley races").compound, 0);
  EXPECT_EQ(analyzer.Score("he leads the PGA Championship").compound, 0);
  EXPECT_GT(analyzer.Score("I am SO Happy").compound, 0.3);  // shouting, not an acronym
  EXPECT_GT(analyzer.Score("OMG Amazing").compound, 0.3);
  EXPECT_LT(analyzer.Score("we are NOT Happy").compound, 0);
  EXPECT_EQ(analyzer.Score("watching Miss USA tonight").compound, 0);
  EXPECT_LT(analyzer.Score("I miss you").compound, 0);
}

TEST(Sentiment, CantWaitIsEagerAndNoLongerNegates) {
  const auto& analyzer = SentimentAnalyzer::Default();
  EXPECT_GT(analyzer.Score("can't wait for the concert").compound, 0.3);
  EXPECT_GT(analyzer.Score("I can't wait, so happy").compound, 0.5);  // "happy" is not turned
  EXPECT_EQ(analyzer.Score("he is no longer a candidate").compound, 0);
  EXPECT_LT(analyzer.Score("he is no longer a great player").compound, 0);
}

TEST(Language, DetectsShortSocialText) {
  EXPECT_EQ(DetectLanguage("@acme where is my parcel, it was due yesterday").code, "en");
  EXPECT_EQ(DetectLanguage("@acme mi pedido todavía no ha llegado y nadie me responde").code, "es");
  EXPECT_EQ(DetectLanguage("@acme ma commande n'est toujours pas arrivée, c'est inadmissible").code,
            "fr");
  EXPECT_EQ(DetectLanguage("ok", "de").code, "de");
  EXPECT_TRUE(DetectLanguage("https://t.co/x 😀").code.empty());
}

TEST(Pii, FindsEachKindAndRedacts) {
  const std::string text =
      "card 4111 1111 1111 1111, iban GB82 WEST 1234 5698 7654 32, sort code 12-34-56 account "
      "number 31926819, call +44 20 7946 0958 or mail jo.bloggs@example.co.uk";
  const auto spans = FindPii(text);
  std::vector<std::string> types;
  for (const auto& span : spans) types.emplace_back(domain::ToString(span.type));
  EXPECT_EQ(types, (std::vector<std::string>{"card", "iban", "sort_code", "account_number", "phone",
                                             "email"}));
  EXPECT_EQ(text.substr(spans[0].begin, spans[0].end - spans[0].begin), "4111 1111 1111 1111");
  const std::string redacted = Redact(text, spans);
  EXPECT_THAT(redacted, HasSubstr("card [card], iban [iban]"));
  EXPECT_THAT(redacted, Not(HasSubstr("4111")));
}

TEST(Pii, IgnoresNumbersThatAreNotPersonal) {
  EXPECT_TRUE(FindPii("order 4111111111111112 is late").empty());  // fails Luhn
  EXPECT_TRUE(FindPii("flight BA283 at 10:45 on 2024-05-01").empty());
  EXPECT_TRUE(FindPii("@user thanks!").empty());
  EXPECT_TRUE(FindPii("order number 123456789 still not here").empty());
  // A '(' or '+' glued to a word once made the scanner stop advancing.
  EXPECT_TRUE(FindPii("I would like(1/2) and a+1 more").empty());
}

TEST(Patterns, RefusesAnInvalidPatternWithItsPositionAndReason) {
  auto set = PatternSet::Compile({{"refund", false, false}, {"(unclosed", true, false}});
  ASSERT_TRUE(std::holds_alternative<PatternError>(set));
  const auto& error = std::get<PatternError>(set);
  EXPECT_EQ(error.index, 1u);
  EXPECT_EQ(error.position, 0u);
  EXPECT_THAT(error.reason, HasSubstr("parenthesis"));
}

TEST(Patterns, PhrasesMatchWholeWordsWithAnySpacing) {
  auto compiled = PatternSet::Compile(
      {{"money back", false, false}, {"ass", false, false}, {"café", false, false}});
  auto& set = std::get<PatternSet>(compiled);
  std::vector<std::uint32_t> matched;
  set.Scan(NormalizeForMatching("I want my MONEY \t back"), matched);
  EXPECT_EQ(matched, std::vector<std::uint32_t>{0});
  set.Scan("my class was great, no assistance needed, the cafés too", matched);
  EXPECT_TRUE(matched.empty());
  set.Scan("a class ass at the café.", matched);
  EXPECT_EQ(matched, (std::vector<std::uint32_t>{1, 2}));
}

TriageConfig Config(std::string_view json) {
  auto parsed = ParseTriageConfig(json);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString();
  return parsed.ok() ? std::move(parsed).value() : TriageConfig{};
}

TEST(TriageConfigJson, TablesAndRulesReadBackAsWritten) {
  const TriageConfig config = Config(R"({"keyword_tables":[{"name":"refunds","language":"en",
      "entries":[{"patterns":["money back","refund"],"tags":["refund"],"priority":20,"team":"4"},
                 {"pattern":"chargeback","kind":"regex","case_sensitive":true,"category":"billing"}]}],
    "rules":[{"name":"vip","order":3,"stop":true,
      "when":[{"field":"author.followers","op":"at_least","value":1000},
              {"op":"matches_table","value":"refunds"}],
      "then":[{"action":"tag","argument":"vip"},{"action":"set_priority","argument":90}]}]})");
  ASSERT_EQ(config.keyword_tables.size(), 1u);
  ASSERT_EQ(config.keyword_tables[0].entries.size(), 3u);
  ASSERT_EQ(config.rules.size(), 1u);
  auto table = ParseKeywordTable(KeywordTableJson(config.keyword_tables[0]), "table");
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  EXPECT_EQ(*table, config.keyword_tables[0]);
  auto rule = ParseRule(RuleJson(config.rules[0]), "rule");
  ASSERT_TRUE(rule.ok()) << rule.error().ToString();
  EXPECT_EQ(*rule, config.rules[0]);
  EXPECT_EQ(rule->actions[1].argument, "90");

  auto wrong =
      ParseRule(nlohmann::json::parse(R"({"name":"x","then":[{"action":"shout"}]})"), "rules.x");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "rules.x.then[0].action: unknown action \"shout\"");
  EXPECT_FALSE(ParseKeywordTable(nlohmann::json::array(), "table").ok());
}

TEST(Triager, RefusesABadKeywordPatternNamingTheTableAndEntry) {
  FixedClock clock;
  auto triager =
      Triager::Create(Config(R"({"keyword_tables":[{"name":"billing","language":"en","entries":[
        {"pattern":"invoice"},{"pattern":"charge[","kind":"regex"}]}]})"),
                      clock);
  ASSERT_FALSE(triager.ok());
  EXPECT_THAT(triager.error().message, HasSubstr("keyword table \"billing\" (en) entry 2"));
  EXPECT_THAT(triager.error().message, HasSubstr("at position"));
}

TEST(Triager, EditsApplyToTheNextMessage) {
  FixedClock clock;
  auto triager = Triager::Create(Config(R"({"defaults":false})"), clock);
  ASSERT_TRUE(triager.ok());
  TriageInput input = Input("the flux capacitor is broken again");
  EXPECT_THAT((*triager)->Triage(input).tags, Not(Contains("flux")));
  ASSERT_TRUE((*triager)
                  ->Configure(Config(R"({"defaults":false,"keyword_tables":[{"name":"parts",
      "entries":[{"pattern":"flux capacitor","tags":["flux"],"priority":30}]}]})"))
                  .ok());
  input.text = "the flux capacitor is broken, again!";
  const TriageResult result = (*triager)->Triage(input);
  EXPECT_THAT(result.tags, Contains("flux"));
}

TEST(Triager, ExplainsPriority) {
  FixedClock clock;
  auto triager = Triager::Create(
      Config(R"({"key_customers":[{"handle":"bigspender","tier":"gold"}]})"), clock);
  ASSERT_TRUE(triager.ok());
  TriageInput input =
      Input("@acme my refund still hasn't arrived after 3 weeks, this is unacceptable",
            "bigspender", 48000);
  input.channel = domain::ChannelKind::kX;
  const TriageResult r = (*triager)->Triage(input);
  EXPECT_EQ(r.intent, Intent::kDissatisfaction);
  EXPECT_EQ(r.tier, 1);
  EXPECT_TRUE(r.actionable);
  EXPECT_EQ(r.risk, Risk::kTransactionalQuery);
  EXPECT_EQ(r.polarity, Polarity::kNegative);
  EXPECT_THAT(r.tags, Contains("refund"));
  EXPECT_THAT(r.tags, Contains("influencer"));
  EXPECT_THAT(r.tags, Contains("key_customer"));
  EXPECT_GE(r.priority, 70);
  const auto summary = std::find_if(r.reasons.rbegin(), r.reasons.rend(), [](const Reason& reason) {
    return reason.field == "priority" && reason.because.starts_with("P");
  });
  ASSERT_NE(summary, r.reasons.rend());
  EXPECT_THAT(summary->because, HasSubstr("P1: dissatisfied"));
  EXPECT_THAT(summary->because, HasSubstr("influencer 48k followers"));
}

TEST(Triager, FiltersRepostsDuplicatesAndOwnPosts) {
  FixedClock clock;
  auto triager = Triager::Create(Config(R"({"brand_handles":["acme"]})"), clock);
  ASSERT_TRUE(triager.ok());
  auto& t = **triager;
  EXPECT_EQ(t.Triage(Input("RT @someone: my parcel is lost")).intent, Intent::kNoise);
  EXPECT_EQ(t.Triage(Input("We're sorry to hear that, please DM us", "Acme")).intent,
            Intent::kNoise);
  EXPECT_NE(t.Triage(Input("@acme my parcel is lost http://a.co/1", "a")).intent, Intent::kNoise);
  const TriageResult copy = t.Triage(Input("@acme_uk my parcel is lost http://b.co/2", "b"));
  EXPECT_EQ(copy.intent, Intent::kNoise);
  EXPECT_THAT(copy.filters, Contains("near_duplicate"));
}

TEST(Triager, RulesRunInOrderOnceEachAndRecordWhatTheyDid) {
  FixedClock clock;
  auto triager = Triager::Create(Config(R"({"rules":[
      {"name":"vip","order":2,"when":[{"field":"tags","op":"contains","value":"urgent_vip"}],
       "then":[{"action":"set_priority","argument":99},{"action":"tag","argument":"seen"}]},
      {"name":"tag urgent","order":1,"when":[{"field":"intent","op":"in","values":["urgent_need"]}],
       "then":[{"action":"tag","argument":"urgent_vip"},{"action":"assign_team","argument":"7"}]},
      {"name":"loop","order":3,"when":[{"field":"tags","value":"seen"}],
       "then":[{"action":"tag","argument":"seen"}]}]})"),
                                 clock);
  ASSERT_TRUE(triager.ok()) << triager.error().ToString();
  const TriageResult r =
      (*triager)->Triage(Input("@bank my card was stolen, block it urgently please"));
  EXPECT_EQ(r.intent, Intent::kUrgentNeed);
  EXPECT_EQ(r.priority, 99);
  EXPECT_EQ(r.team, "7");
  ASSERT_EQ(r.actions.size(), 5u);
  EXPECT_EQ(r.actions[0].rule, "tag urgent");
  EXPECT_EQ(r.actions[2].rule, "vip");
  EXPECT_EQ(r.actions[4].rule, "loop");
}

TEST(Triager, BusinessHoursFollowTheTimeZoneAcrossDaylightSaving) {
  FixedClock clock;
  auto triager = Triager::Create(Config(R"({"business_hours":{"time_zone":"Europe/London",
      "days":["mon","tue","wed","thu","fri"],"open":"09:00","close":"17:00"},
      "rules":[{"name":"after hours","when":[{"op":"in_business_hours","value":false}],
                "then":[{"action":"auto_acknowledge","argument":"after_hours"}]}]})"),
                                 clock);
  ASSERT_TRUE(triager.ok()) << triager.error().ToString();
  const auto at = [&](const char* when) {
    TriageInput input = Input("where is my parcel?");
    input.created_at = core::ParseTimestamp(when);
    return (*triager)->Triage(input).auto_acknowledge;
  };
  // Friday 24 October 2025 is summer time (UTC+1): 08:30 UTC is 09:30 in London, open.
  EXPECT_EQ(at("2025-10-24T08:30:00Z"), "");
  // Monday 27 October 2025, after the clocks went back (UTC+0): 08:30 UTC is 08:30, closed.
  EXPECT_EQ(at("2025-10-27T08:30:00Z"), "after_hours");
  EXPECT_EQ(at("2025-10-27T09:30:00Z"), "");
  EXPECT_EQ(at("2025-10-25T12:00:00Z"), "after_hours");  // Saturday
}

TEST(Triager, RefusesAnUnknownTimeZone) {
  FixedClock clock;
  auto triager =
      Triager::Create(Config(R"({"business_hours":{"time_zone":"Mars/Olympus"}})"), clock);
  ASSERT_FALSE(triager.ok());
  EXPECT_THAT(triager.error().message, HasSubstr("unknown time zone"));
}

TEST(Triager, RefusesRulesOverUnknownFields) {
  FixedClock clock;
  auto triager = Triager::Create(
      Config(
          R"({"rules":[{"name":"x","when":[{"field":"mood","value":"sad"}],"then":[{"action":"hide"}]}]})"),
      clock);
  ASSERT_FALSE(triager.ok());
  EXPECT_THAT(triager.error().message, HasSubstr("unknown field \"mood\""));
}

}  // namespace
}  // namespace parley::triage
