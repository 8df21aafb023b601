// The live kernel's Landlock audit records, read as the machine's audit subsystem sends them to
// its read-log multicast group (AUDIT_NLGRP_READLOG on a NETLINK_AUDIT socket; CAP_AUDIT_READ).
//
// Audit must be enabled for Landlock to write records. LiveAudit never changes that on its own:
// Open(kLeaveAlone) reads where audit already is enabled and otherwise says why not;
// Open(kEnableForRun) (the explicit `./lockstep replay --live-audit`) enables it when it is
// disabled and disables it again when the reader is destroyed, or when the process ends any other
// way (a crash included: a child process waiting on a pipe does it then).
//
// Which records belong to which op: after an op, Drain() writes a marker into the audit stream
// (an AUDIT_USER message, CAP_AUDIT_WRITE) and reads up to it. A Landlock record is written while
// the syscall that caused it runs, into the same queue the marker goes to after the syscall
// returned, so everything before the marker is the op's or older. Records of other processes
// come through too: the caller keeps its own (by the pid of the allocated records).

#ifndef LOCKSTEP_ENGINE_LIVE_AUDIT_H_
#define LOCKSTEP_ENGINE_LIVE_AUDIT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace lockstep {

// One record as the audit subsystem sent it: its type and body (after "audit(time:serial): ").
struct AuditRecordText {
  int type = 0;
  std::string body;
};

class LiveAudit {
 public:
  enum class Mode {
    kLeaveAlone,    // read only where audit is already enabled
    kEnableForRun,  // enable it if it is disabled, and disable it again at destruction
  };
  // The reader, or why records cannot be read here ("audit is disabled on this machine ...").
  static absl::StatusOr<std::unique_ptr<LiveAudit>> Open(Mode mode);
  ~LiveAudit();

  // Every Landlock record (AUDIT_LANDLOCK_ACCESS, AUDIT_LANDLOCK_DOMAIN) sent since the last
  // Drain, in order; an error when the marker does not come back within a second.
  absl::StatusOr<std::vector<AuditRecordText>> Drain();

  // Whether Open enabled audit (and the destructor will disable it again).
  bool enabled_for_run() const { return enabled_for_run_; }

 private:
  explicit LiveAudit(int fd) : fd_(fd) {}

  const int fd_;  // subscribed to AUDIT_NLGRP_READLOG; also sends the markers
  bool enabled_for_run_ = false;
  int restore_fd_ = -1;  // closing it has the restorer process disable audit again
  int restorer_ = -1;
  uint64_t markers_ = 0;
};

// The machine's audit `enabled` value (0, 1, or 2: locked) from AUDIT_GET, or why it cannot be
// read.
absl::StatusOr<uint32_t> AuditEnabled();

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_LIVE_AUDIT_H_
