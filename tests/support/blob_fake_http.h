// FakeHttpServer: a scripted HTTP/1.1 server on 127.0.0.1 for tests of the S3
// client's failure handling (retries, aborts, resumes, stalls) that a real
// S3 server will not perform on demand. A handler maps each request to a
// response; every request is recorded.
//
// Supports keep-alive, Content-Length request bodies, responses cut short
// (`truncate_at`: headers promise the whole body, then the connection
// closes) and stalls (`stall`: never answer).
//
// Thread-safety: the handler runs on the server's connection threads, one
// request at a time per connection; requests() is safe from any thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ff::testing {

struct FakeRequest {
  std::string method;
  std::string target;  // path?query as sent
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;

  bool has_query(const std::string& name) const {
    return ("&" + query + "&").find("&" + name) != std::string::npos;
  }
};

struct FakeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<size_t> truncate_at;  // send only this much of the body, then close
  bool stall = false;                 // never answer
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~FakeHttpServer() {
    stop_ = true;
    acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<FakeRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  // Waits until `fd` is readable or the server stops; false when stopping.
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      int rc = ::poll(&p, 1, 20);
      if (rc > 0) return true;
    }
    return false;
  }

  void accept_loop() {
    while (wait_readable(listen_fd_)) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mu_);
      threads_.emplace_back([this, fd] {
        serve(fd);
        ::close(fd);
      });
    }
  }

  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void serve(int fd) {
    std::string in;
    char buf[64 * 1024];
    while (true) {
      // Read one request: headers, then Content-Length bytes of body.
      size_t header_end;
      while ((header_end = in.find("\r\n\r\n")) == std::string::npos) {
        if (!wait_readable(fd)) return;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        in.append(buf, static_cast<size_t>(n));
      }
      FakeRequest req;
      std::string head = in.substr(0, header_end);
      size_t line_end = head.find("\r\n");
      std::string request_line = head.substr(0, line_end);
      size_t sp1 = request_line.find(' ');
      size_t sp2 = request_line.rfind(' ');
      req.method = request_line.substr(0, sp1);
      req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t q = req.target.find('?');
      req.path = req.target.substr(0, q);
      req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t end = head.find("\r\n", pos);
        if (end == std::string::npos) end = head.size();
        std::string line = head.substr(pos, end - pos);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          size_t v = line.find_first_not_of(' ', colon + 1);
          req.headers[name] = v == std::string::npos ? "" : line.substr(v);
        }
        pos = end + 2;
      }
      in.erase(0, header_end + 4);
      size_t length =
          req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
      while (in.size() < length) {
        if (!wait_readable(fd)) return;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        in.append(buf, static_cast<size_t>(n));
      }
      req.body = in.substr(0, length);
      in.erase(0, length);

      FakeResponse resp = handler_(req);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
      }
      if (resp.stall) {
        while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return;
      }
      std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " Fake\r\n";
      bool has_length = false;
      for (const auto& [n, v] : resp.headers) {
        out += n + ": " + v + "\r\n";
        if (n == "Content-Length" || n == "content-length") has_length = true;
      }
      if (!has_length) out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
      out += "\r\n";
      if (req.method != "HEAD") {
        out += resp.truncate_at ? resp.body.substr(0, *resp.truncate_at) : resp.body;
      }
      if (!send_all(fd, out) || resp.truncate_at) return;
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> threads_;   // guarded by mu_
  std::vector<FakeRequest> requests_;  // guarded by mu_
};

}  // namespace ff::testing
