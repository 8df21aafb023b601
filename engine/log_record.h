// Landlock's denial logs (Linux 6.15+, ABI 7: security/landlock/audit.c) as an observable that
// engines compare: each audit record normalized to what the scenario can name (issue 17).
//
// Normalized means: the record type; the domain as the scenario numbers its domains (1 is the
// task's first domain, its first layer; 2 the one stacked on it; ...), never the kernel's random
// 64-bit id; the blockers as written, in order; the object's fields as written except addresses,
// which are re-printed in one canonical form (inet_ntop) so "::ffff:1.2.3.4" and its other
// spellings compare equal, and a filesystem object's dev= and ino= (each engine's own inode
// numbering), its path= staying as audit writes it (quoted, or hex when it has a space, a quote
// or a control byte: "/a/b (deleted)"); for a domain record, its status and (deallocated) denial count. The
// domain creator's pid, uid, exe and comm are the machine's business and are left out.

#ifndef LOCKSTEP_ENGINE_LOG_RECORD_H_
#define LOCKSTEP_ENGINE_LOG_RECORD_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lockstep {

struct LogRecord {
  enum class Type {
    kAccess,             // AUDIT_LANDLOCK_ACCESS: a logged denial
    kDomainAllocated,    // AUDIT_LANDLOCK_DOMAIN status=allocated: a domain's first logged denial
    kDomainDeallocated,  // AUDIT_LANDLOCK_DOMAIN status=deallocated: a logged domain freed
    kUnparsed,           // a record the engine could not read (an engine finding): `object`
  };
  Type type = Type::kAccess;
  // The scenario's domain number; -1: an id the scenario never made; 0: a domain the engine
  // cannot number (the live kernel's, before every domain of the task has shown its id).
  int domain = 0;
  std::string blockers;  // kAccess: "net.connect_tcp", "fs.make_reg,fs.refer"
  std::string object;    // kAccess: "daddr=127.0.0.1 dest=80" ("" when none); kUnparsed: why
  uint64_t denials = 0;  // kDomainDeallocated

  bool operator==(const LogRecord& o) const {
    return type == o.type && domain == o.domain && blockers == o.blockers && object == o.object &&
           denials == o.denials;
  }
  bool operator!=(const LogRecord& o) const { return !(*this == o); }
  // "access domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=80",
  // "domain=1 allocated", "domain=1 deallocated denials=3", "unparsed: ...".
  std::string ToString() const;
};

// Whether two records say the same: equal, except that a domain number 0 (not numbered)
// matches any.
bool RecordsMatch(const LogRecord& a, const LogRecord& b);

// A string as audit writes one it does not trust (audit_log_untrustedstring): in double quotes,
// or in upper-case hex when it holds a double quote, a space, a control byte or a byte above 0x7e.
std::string AuditUntrustedString(const std::string& s);
// The string such a field holds (quoted or hex); false when it is neither.
bool ReadAuditUntrustedString(const std::string& field, std::string* out);

// "none", or each record's ToString() joined by "; ".
std::string LogRecordsText(const std::vector<LogRecord>& records);

// The canonical text of an address: `family` 2 (AF_INET, 4 bytes) or 10 (AF_INET6, 16 bytes) in
// network order, as inet_ntop writes it.
std::string CanonicalAddress(int family, const uint8_t* bytes);

// Reads one record as audit.c writes it (`type` 1423 AUDIT_LANDLOCK_ACCESS or 1424
// AUDIT_LANDLOCK_DOMAIN, `text` the record's body) into its normalized form; `domains` maps the
// kernel's domain ids to the scenario's numbers. lsm_audit's fields of the socket itself
// (laddr= lport= faddr= fport=) are left out like dev= and ino=: the models' sockets carry no
// stack addresses. A task object (ptrace, signals) is its process as the scenario numbers
// tasks: `pids` maps the engine's pids to task numbers (opid=1004 -> opid=4; a pid it does not
// know -> opid=?; without a map, kept as written); ocomm= (the task's name) is the machine's and
// left out. A record it cannot read comes back as kUnparsed, saying why.
LogRecord ParseAuditRecord(int type, const std::string& text,
                           const std::map<uint64_t, int>& domains,
                           const std::map<int64_t, int>* pids = nullptr);

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_LOG_RECORD_H_
