#include "wal/reader.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace ff::wal {

namespace {

using nlohmann::json;

const std::string* string_member(const json& doc, std::string_view key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

}  // namespace

Status problem_status(const Problem& problem) {
  return DataLoss("WAL corrupt at line " + std::to_string(problem.line) + " (byte offset " +
                  std::to_string(problem.offset) + ", expected seq " + std::to_string(problem.seq) +
                  "): " + problem.what);
}

Reader::Reader(std::unique_ptr<sys::SequentialFile> file, Options options, Reporter* reporter)
    : file_(std::move(file)), options_(options), reporter_(reporter) {}

Status Reader::fill() {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  FF_TRY(file_->read(options_.chunk_bytes, &chunk_));
  if (chunk_.empty()) {
    eof_ = true;
  } else {
    buf_.append(chunk_);
  }
  return OkStatus();
}

Result<bool> Reader::at_end() {
  while (pos_ == buf_.size() && !eof_) FF_TRY(fill());
  return pos_ == buf_.size();
}

Result<Reader::LineKind> Reader::next_line(std::string_view* line) {
  *line = {};
  line_offset_ = next_offset_;
  size_t scanned = 0;      // bytes after pos_ known to hold no '\n'
  uint64_t discarded = 0;  // bytes of an overlong line already dropped
  while (true) {
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start + scanned, '\n', buf_.size() - pos_ - scanned);
    if (nl != nullptr) {
      size_t len = static_cast<const char*>(nl) - start;
      ++line_no_;
      next_offset_ = line_offset_ + discarded + len + 1;
      pos_ += len + 1;
      if (discarded + len + 1 > options_.max_line_bytes) return LineKind::kTooLong;
      *line = std::string_view(start, len);
      return LineKind::kLine;
    }
    scanned = buf_.size() - pos_;
    if (discarded + scanned >= options_.max_line_bytes) {
      // Too long to be a record whatever follows: keep only the count, so a file
      // of garbage without newlines cannot grow the buffer.
      discarded += scanned;
      pos_ = buf_.size();
      scanned = 0;
    }
    if (eof_) {
      if (discarded == 0 && scanned == 0) return LineKind::kEnd;
      ++line_no_;
      *line = std::string_view(buf_.data() + pos_, scanned);
      next_offset_ = line_offset_ + discarded + scanned;
      pos_ = buf_.size();
      return LineKind::kUnterminated;
    }
    FF_TRY(fill());
  }
}

bool Reader::fail(std::string what, bool torn_tail) {
  problem_ = Problem{head_.seq + 1, line_no_, line_offset_, std::move(what), torn_tail};
  if (reporter_ != nullptr) reporter_->corruption(*problem_);
  return false;
}

Result<bool> Reader::read(Record* out) {
  if (problem_) return false;
  while (true) {
    std::string_view line;
    FF_ASSIGN_OR_RETURN(LineKind kind, next_line(&line));
    switch (kind) {
      case LineKind::kEnd:
        return false;
      case LineKind::kUnterminated:
        return fail("torn last line", true);
      case LineKind::kTooLong:
        return fail("line longer than " + std::to_string(options_.max_line_bytes) + " bytes",
                    false);
      case LineKind::kLine:
        break;
    }
    if (head_.seq < options_.skip_through_seq) {
      // Only the link is needed from a skipped line; one that does not end in a
      // hash member gets the full check below, which names what is wrong.
      if (auto parts = split_stored_line(line)) {
        head_.seq += 1;
        head_.hash.assign(parts->hash);
        good_bytes_ = next_offset_;
        continue;
      }
    }
    return check_line(line, out);
  }
}

Result<bool> Reader::check_line(std::string_view line, Record* out) {
  const uint64_t expected = head_.seq + 1;
  json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    FF_ASSIGN_OR_RETURN(bool last, at_end());
    return fail("unparsable JSON", last);
  }
  auto v = doc.find(field::kVersion);
  if (v == doc.end() || !v->is_number_unsigned() ||
      v->get<uint64_t>() != static_cast<uint64_t>(kFormatVersion)) {
    return fail("missing or unknown format version", false);
  }
  auto seq_it = doc.find(field::kSeq);
  if (seq_it == doc.end() || !seq_it->is_number_unsigned()) {
    return fail("missing or invalid seq", false);
  }
  const uint64_t seq = seq_it->get<uint64_t>();
  if (seq != expected) {
    return fail(std::string(seq > expected ? "seq gap" : "seq went backwards") + ": expected " +
                    std::to_string(expected) + ", found " + std::to_string(seq),
                false);
  }
  const std::string* prev_hash = string_member(doc, field::kPrevHash);
  if (prev_hash == nullptr || *prev_hash != head_.hash) {
    return fail("prev_hash does not match previous record", false);
  }
  auto parts = split_stored_line(line);
  const std::string* hash = string_member(doc, field::kHash);
  if (!parts || hash == nullptr || *hash != parts->hash) {
    return fail("hash is not the last member", false);
  }
  const std::string* event = string_member(doc, field::kEvent);
  if (event == nullptr || event->empty()) return fail("missing event", false);
  if (string_member(doc, field::kTimestamp) == nullptr) return fail("missing timestamp", false);
  if (chain_hash(head_.hash, parts->body) != parts->hash) return fail("hash mismatch", false);

  head_.seq = seq;
  head_.hash = *hash;
  good_bytes_ = next_offset_;
  if (out != nullptr) {
    out->seq = seq;
    out->event = *event;
    const std::string* agent = string_member(doc, field::kAgentId);
    if (agent != nullptr) {
      out->agent_id = *agent;
    } else {
      out->agent_id.clear();
    }
    out->line.assign(line);
  }
  return true;
}

Result<std::vector<RecordPtr>> read_since(sys::FileSystem& fs, const std::string& path,
                                          uint64_t since, size_t max_records) {
  std::vector<RecordPtr> records;
  if (max_records == 0) return records;
  FF_ASSIGN_OR_RETURN(std::unique_ptr<sys::SequentialFile> file, fs.open_sequential(path));
  Reader::Options options;
  options.skip_through_seq = since;
  Reader reader(std::move(file), options);
  while (records.size() < max_records) {
    Record record;
    FF_ASSIGN_OR_RETURN(bool got, reader.read(&record));
    if (!got) break;
    records.push_back(std::make_shared<const Record>(std::move(record)));
  }
  if (reader.problem() && !reader.problem()->torn_tail) return problem_status(*reader.problem());
  return records;
}

}  // namespace ff::wal
