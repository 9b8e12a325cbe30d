// A tiny blocking HTTP/1.1 server on 127.0.0.1 for client tests: each request
// is handed to a handler that returns the raw response. One connection at a
// time, Connection: close, bodies read by Content-Length.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ff::client::testing {

struct SeenRequest {
  std::string method, target, headers, body;
};

class FakeHttpServer {
 public:
  using Handler = std::function<std::string(const SeenRequest&)>;
  explicit FakeHttpServer(Handler h) : handler_(std::move(h)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeHttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<SeenRequest> requests() {
    std::lock_guard l(mu_);
    return seen_;
  }

  static std::string response(int status, const std::string& body,
                              const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
           extra_headers + "\r\n" + body;
  }

 private:
  void loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string buf;
      char tmp[65536];
      size_t header_end;
      while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(c, tmp, sizeof tmp);
        if (n <= 0) break;
        buf.append(tmp, static_cast<size_t>(n));
      }
      if (header_end == std::string::npos) {
        ::close(c);
        continue;
      }
      SeenRequest r;
      std::string head = buf.substr(0, header_end);
      r.method = head.substr(0, head.find(' '));
      r.target = head.substr(r.method.size() + 1,
                             head.find(' ', r.method.size() + 1) - r.method.size() - 1);
      r.headers = head;
      size_t len = 0;
      std::string lower = head;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto p = lower.find("content-length:"); p != std::string::npos) {
        len = std::stoul(head.substr(p + 15));
      }
      r.body = buf.substr(header_end + 4);
      while (r.body.size() < len) {
        ssize_t n = ::read(c, tmp, sizeof tmp);
        if (n <= 0) break;
        r.body.append(tmp, static_cast<size_t>(n));
      }
      {
        std::lock_guard l(mu_);
        seen_.push_back(r);
      }
      std::string out = handler_(r);
      size_t off = 0;
      while (off < out.size()) {
        ssize_t n = ::write(c, out.data() + off, out.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      ::close(c);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> seen_;  // guarded by mu_
};

}  // namespace ff::client::testing
