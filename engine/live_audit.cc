#include "engine/live_audit.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lockstep {
namespace {

constexpr int kAuditLandlockAccess = 1423;
constexpr int kAuditLandlockDomain = 1424;
constexpr unsigned kReadlogGroupBit = 1u << (AUDIT_NLGRP_READLOG - 1);

std::string Errno(int e) { return std::strerror(e); }

// One request to the kernel's audit socket: 0, or -errno from sendto.
int Send(int fd, int type, const void* payload, size_t len, uint16_t flags, uint32_t seq) {
  std::vector<char> buf(NLMSG_SPACE(len), 0);
  nlmsghdr* h = reinterpret_cast<nlmsghdr*>(buf.data());
  h->nlmsg_len = NLMSG_LENGTH(len);
  h->nlmsg_type = static_cast<uint16_t>(type);
  h->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
  h->nlmsg_seq = seq;
  if (len > 0) std::memcpy(NLMSG_DATA(h), payload, len);
  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  const ssize_t n =
      sendto(fd, buf.data(), h->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  return n < 0 ? -errno : 0;
}

// A NETLINK_AUDIT socket that waits at most a second for an answer, or -errno.
int AuditSocket() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return -errno;
  const timeval timeout = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

// One request and its one answer on a fresh audit socket: the answer (a netlink message, an
// NLMSG_ERROR acknowledgement included), or why there is none.
absl::StatusOr<std::vector<char>> Ask(int type, const void* payload, size_t len, uint16_t flags) {
  const int fd = AuditSocket();
  if (fd < 0) return absl::UnavailableError("no audit netlink socket here (" + Errno(-fd) + ")");
  std::vector<char> answer(8192);
  absl::Status status;
  if (const int e = Send(fd, type, payload, len, flags, 1); e != 0) {
    status = absl::PermissionDeniedError(Errno(-e));
  } else {
    const ssize_t n = recv(fd, answer.data(), answer.size(), 0);
    if (n < 0) {
      status = absl::UnavailableError("no answer (" + Errno(errno) + ")");
    } else if (!NLMSG_OK(reinterpret_cast<const nlmsghdr*>(answer.data()),
                         static_cast<unsigned>(n))) {
      status = absl::UnavailableError("a short netlink answer");
    }
  }
  close(fd);
  if (!status.ok()) return status;
  return answer;
}

// The errno of an NLMSG_ERROR answer (0: an acknowledgement).
int AnswerError(const nlmsghdr* h) { return static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error; }

// AUDIT_SET of `enabled`, acknowledged.
absl::Status SetEnabled(uint32_t enabled) {
  audit_status st = {};
  st.mask = AUDIT_STATUS_ENABLED;
  st.enabled = enabled;
  absl::StatusOr<std::vector<char>> answer = Ask(AUDIT_SET, &st, sizeof(st), NLM_F_ACK);
  if (!answer.ok()) {
    return absl::Status(answer.status().code(),
                        "AUDIT_SET: " + std::string(answer.status().message()));
  }
  const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(answer->data());
  if (h->nlmsg_type != NLMSG_ERROR)
    return absl::UnavailableError("AUDIT_SET: an unexpected answer");
  if (const int e = AnswerError(h); e != 0) {
    return absl::PermissionDeniedError("AUDIT_SET: " + Errno(-e));
  }
  return absl::OkStatus();
}

// A process that disables audit again once the caller is gone, however it ends (a crash
// included): it waits for the end of a pipe whose write end only the caller holds. Returns the
// write end (closing it is the signal) and the pid, or -1. The child makes only raw syscalls
// on a request built before fork().
int StartRestorer(pid_t* pid) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  struct {
    nlmsghdr h;
    audit_status st;
  } request = {};
  request.h.nlmsg_len = sizeof(request);
  request.h.nlmsg_type = AUDIT_SET;
  request.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.st.mask = AUDIT_STATUS_ENABLED;
  request.st.enabled = 0;
  *pid = fork();
  if (*pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (*pid == 0) {
    close(fds[1]);
    char c;
    while (read(fds[0], &c, 1) < 0 && errno == EINTR) {
    }
    const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
    sockaddr_nl kernel = {};
    kernel.nl_family = AF_NETLINK;
    if (fd >= 0) {
      sendto(fd, &request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof(kernel));
      char ack[256];
      recv(fd, ack, sizeof(ack), 0);  // the kernel has done it once it answers
    }
    _exit(0);
  }
  close(fds[0]);
  return fds[1];
}

}  // namespace

absl::StatusOr<uint32_t> AuditEnabled() {
  absl::StatusOr<std::vector<char>> answer = Ask(AUDIT_GET, nullptr, 0, 0);
  if (!answer.ok()) {
    return absl::UnavailableError("the audit status is not readable (AUDIT_GET: " +
                                  std::string(answer.status().message()) + ")");
  }
  const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(answer->data());
  if (h->nlmsg_type == NLMSG_ERROR) {
    return absl::UnavailableError(
        "the audit status is not readable (AUDIT_GET: " + Errno(-AnswerError(h)) + ")");
  }
  if (h->nlmsg_type != AUDIT_GET ||
      h->nlmsg_len < NLMSG_LENGTH(offsetof(audit_status, pid) + sizeof(__u32))) {
    return absl::UnavailableError(absl::StrCat(
        "the audit status is not readable (unexpected netlink answer type ", h->nlmsg_type, ")"));
  }
  return static_cast<const audit_status*>(NLMSG_DATA(h))->enabled;
}

absl::StatusOr<std::unique_ptr<LiveAudit>> LiveAudit::Open(Mode mode) {
  absl::StatusOr<uint32_t> enabled = AuditEnabled();
  if (!enabled.ok()) return enabled.status();
  bool enabled_here = false;
  if (*enabled == 0) {
    if (mode == Mode::kLeaveAlone) {
      return absl::FailedPreconditionError(
          "audit is disabled on this machine (AUDIT_GET: enabled=0); lockstep does not change "
          "the machine's audit settings unless asked (--live-audit)");
    }
    if (absl::Status s = SetEnabled(1); !s.ok()) {
      return absl::PermissionDeniedError("could not enable audit for the run (" +
                                         std::string(s.message()) + ")");
    }
    enabled_here = true;
  }
  pid_t restorer = -1;
  const int restore_fd = enabled_here ? StartRestorer(&restorer) : -1;
  if (enabled_here && restore_fd < 0) {
    SetEnabled(0).IgnoreError();
    return absl::UnavailableError("could not start the process that disables audit again");
  }
  const int fd = AuditSocket();
  sockaddr_nl group = {};
  group.nl_family = AF_NETLINK;
  group.nl_groups = kReadlogGroupBit;
  const int bound = fd < 0                                                             ? fd
                    : bind(fd, reinterpret_cast<sockaddr*>(&group), sizeof(group)) < 0 ? -errno
                                                                                       : 0;
  if (bound != 0) {
    if (fd >= 0) close(fd);
    if (enabled_here) {
      close(restore_fd);
      waitpid(restorer, nullptr, 0);
    }
    return absl::PermissionDeniedError(
        "audit records are not readable here (joining "
        "AUDIT_NLGRP_READLOG: " +
        Errno(-bound) + "; it needs CAP_AUDIT_READ)");
  }
  std::unique_ptr<LiveAudit> audit(new LiveAudit(fd));
  audit->enabled_for_run_ = enabled_here;
  audit->restore_fd_ = restore_fd;
  audit->restorer_ = restorer;
  return audit;
}

LiveAudit::~LiveAudit() {
  close(fd_);
  if (enabled_for_run_) {
    close(restore_fd_);  // the restorer disables audit; it is done when it exits
    waitpid(restorer_, nullptr, 0);
  }
}

absl::StatusOr<std::vector<AuditRecordText>> LiveAudit::Drain() {
  // No space in the marker: audit writes a message with one in hex.
  const std::string marker = absl::StrCat("lockstep-sync-", getpid(), "-", ++markers_);
  // With its NUL: the kernel takes the message's last byte for one.
  if (const int e = Send(fd_, AUDIT_USER, marker.c_str(), marker.size() + 1, 0,
                         static_cast<uint32_t>(markers_));
      e != 0) {
    return absl::PermissionDeniedError("the audit marker could not be sent (AUDIT_USER: " +
                                       Errno(-e) + "; it needs CAP_AUDIT_WRITE)");
  }
  std::vector<AuditRecordText> records;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::vector<char> buf(1 << 16);
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p = {fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return absl::DeadlineExceededError("the audit marker did not come back within a second");
    }
    // One datagram, one record.
    const ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return absl::DataLossError("audit records lost (" + Errno(errno) + ")");
    }
    if (n < static_cast<ssize_t>(NLMSG_HDRLEN)) continue;
    const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(buf.data());
    if (h->nlmsg_type == NLMSG_ERROR) {
      if (const int e = AnswerError(h); e != 0) {
        return absl::PermissionDeniedError("AUDIT_USER refused: " + Errno(-e));
      }
      continue;
    }
    // The record's text is the rest of the datagram (audit's nlmsg_len counts only the text).
    std::string body(static_cast<const char*>(NLMSG_DATA(h)), n - NLMSG_HDRLEN);
    while (!body.empty() && body.back() == '\0') body.pop_back();
    if (h->nlmsg_type == AUDIT_USER && body.find("msg='" + marker + "'") != std::string::npos) {
      return records;
    }
    if (h->nlmsg_type != kAuditLandlockAccess && h->nlmsg_type != kAuditLandlockDomain) continue;
    // "audit(1733500000.123:456): domain=..."
    const size_t start = body.find("): ");
    records.push_back({h->nlmsg_type, start == std::string::npos ? body : body.substr(start + 3)});
  }
}

}  // namespace lockstep
