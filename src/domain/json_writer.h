// A small streaming JSON writer for the hot documents (messages and conversations are encoded
// once per message on the ingest path). It writes text directly, without building a tree, and
// produces what the nlohmann codecs in json_codec.cc produce — json_codec_test checks that the two
// agree field for field, so a field added to one and not the other fails the build's tests.
// Invalid UTF-8 in strings is written as U+FFFD rather than refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parley/core/id.h"
#include "parley/core/time.h"

namespace parley::domain {

class JsonWriter {
 public:
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  JsonWriter& Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  // A finite number in its shortest form that reads back the same; null when absent.
  void Number(const std::optional<double>& value);
  void Bool(bool value);
  void Null();
  void Time(core::Timestamp value);
  void Time(const std::optional<core::Timestamp>& value);
  template <typename Tag>
  void Id(core::Id<Tag> id) {
    if (id.valid()) {
      String(id.ToString());
    } else {
      Null();
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  void Open(char c);
  void Close(char c);
  void Separate();
  void Escaped(std::string_view text);

  std::string out_;
  bool first_ = true;       // no value yet in the current container
  bool after_key_ = false;  // the next value follows a key
};

}  // namespace parley::domain
