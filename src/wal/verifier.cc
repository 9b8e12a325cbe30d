#include "wal/verifier.h"

#include "wal/reader.h"

namespace ff::wal {

Result<VerifyReport> verify_file(sys::FileSystem& fs, const std::string& path) {
  FF_ASSIGN_OR_RETURN(std::unique_ptr<sys::SequentialFile> file, fs.open_sequential(path));
  Reader reader(std::move(file));
  while (true) {
    FF_ASSIGN_OR_RETURN(bool got, reader.read(nullptr));
    if (!got) break;
  }
  VerifyReport report;
  report.records = reader.records();
  report.head = reader.head();
  if (const auto& problem = reader.problem()) {
    report.ok = false;
    report.bad_seq = problem->seq;
    report.bad_line = problem->line;
    report.bad_offset = problem->offset;
    report.problem = problem->what;
    report.torn_tail = problem->torn_tail;
  }
  return report;
}

int run_verify_command(const std::string& path, std::ostream& out, std::ostream& err) {
  Result<VerifyReport> result = verify_file(sys::posix_file_system(), path);
  if (!result.ok()) {
    err << "wal verify: cannot read " << path << ": " << result.status().to_string() << "\n";
    return 2;
  }
  const VerifyReport& r = *result;
  if (r.ok) {
    out << "wal verify: " << path << " is intact: " << r.records << " records, head seq "
        << r.head.seq << " hash " << r.head.hash << "\n";
    return 0;
  }
  err << "wal verify: " << path << (r.torn_tail ? " has a torn last line" : " is corrupt")
      << " at line " << r.bad_line << " (byte offset " << r.bad_offset << ", expected seq "
      << r.bad_seq << "): " << r.problem << "\n";
  err << "wal verify: " << r.records << " good records before it; last good seq " << r.head.seq
      << " hash " << r.head.hash << "\n";
  if (r.torn_tail) err << "wal verify: the writer cuts a torn last line when it next opens\n";
  return 1;
}

}  // namespace ff::wal
