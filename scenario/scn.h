// The .scn text form of a Scenario: a parser that reports `FILE:LINE:COL: message` for every
// malformed input and never crashes, and a printer whose output parses back to the same scenario.
//
// The language, one statement per line; `#` starts a comment to the end of the line, blank lines
// are ignored, tokens are separated by spaces or tabs, CRLF line ends are accepted:
//
//   task [no_new_privs=0|1] [cap_sys_admin=0|1]        only before the first op; defaults 1 and 0
//   [NAME =] OP ARGS... [expect OUTCOME] [expect[CONDITION,...] OUTCOME]...
//   log RECORD | log none                  after an op: the denial-log records it writes
//   log exit RECORD | log exit none        after the last op: the records task exit writes
//
//   RECORD    a Landlock audit record, normalized (engine/log_record.h), as replay prints it:
//               access domain=N blockers=B[,B...] [FIELD=VALUE...]    a logged denial
//               domain=N allocated                                    its domain, first logged
//               domain=N deallocated denials=K                        a logged domain freed
//             N numbers the task's domains in the order restrict_self made them (1, 2, ...).
//             An op's `log` lines are its records in order (task exit's in any order), checked
//             exactly on engines that know their logs and whose revision writes them (ABI 7+:
//             model/profile.h WritesDenialLogs); an op without `log` lines is not checked.
//
//   create_ruleset [handled_fs=FS] [handled_net=NET] [scoped=SCOPES]   24-byte landlock_ruleset_attr
//                  | attr=HEX | attr=null                                raw bytes / NULL instead
//                  [size=U64] [readable=N] [flags=CREATEFLAGS]           size defaults to the bytes
//   add_rule FD net_port allowed=NET port=U64                [readable=N] [flags=U32]
//   add_rule FD path_beneath allowed=FS parent_fd=FD         [readable=N] [flags=U32]
//   add_rule FD TYPE attr=HEX|null [parent_fd=FD]            [readable=N] [flags=U32]
//   restrict_self FD [flags=U32]
//   no_new_privs
//   close FD
//   socket FAMILY TYPE [PROTOCOL]
//   bind FD ADDR [addrlen=I32] [readable=N]
//   connect FD ADDR [addrlen=I32] [readable=N]
//   sendto FD ADDR [addrlen=I32] [readable=N] [flags=SENDFLAGS]
//
//   The filesystem (docs/filesystem.md); without at=, a path resolves from the scenario root:
//   mkdir PATH [at=FD]
//   mknod PATH KIND [mode=OCTAL] [dev=U64] [at=FD]
//   open PATH OPENFLAGS [at=FD]                               returns an fd
//   execute PATH [at=FD]
//   truncate PATH [at=FD]
//   ftruncate FD
//   unlink PATH [at=FD]
//   rmdir PATH [at=FD]
//   rename OLD NEW [flags=RENAMEFLAGS] [at=FD] [at2=FD]       at= for OLD, at2= for NEW
//   link OLD NEW [at=FD] [at2=FD]
//   ioctl FD CMD
//   bind_mount SRC DST [at=FD] [at2=FD]                       at= for SRC, at2= for DST
//
//   NAME      [A-Za-z_][A-Za-z0-9_]*, not `expect`; only on an op that returns an fd (socket,
//             create_ruleset without flags, open); unique in the file.
//   FD        a NAME defined by an earlier op (FdRef::Handle) or an int32 (FdRef::Raw).
//   OUTCOME   `fd` | an errno name (EACCES, EWOULDBLOCK, ...) | errno<N> | an integer (a value).
//   CONDITION a behaviour switch of model/profile.h (Switches(); `./lockstep tree` lists them with
//             their values): SWITCH (true / nonzero), !SWITCH (false / zero), or SWITCH=V,
//             SWITCH!=V, SWITCH>=V, SWITCH<V with V a number, true/false or a value name
//             (sk_is_tcp, EINVAL, ...). On an engine whose profile meets every condition, expect
//             this OUTCOME instead of the plain one (Op::expect_overrides; the first override that
//             holds wins; each condition list once; no spaces inside the brackets). E.g.
//               sendto s inet:127.0.0.1:80 flags=fastopen expect EACCES expect[!sendmsg_fastopen_checked] 0
//               create_ruleset attr=null size=0 flags=version expect[abi_version=7] 7 expect 6
//             Expectations name behaviours, not versions, so a case holds on any revision or live
//             kernel whose switches are known; one that depends on a switch a live kernel's
//             witness could not decide is reported as not checked.
//   numbers   decimal or 0x-hex (octal where OCTAL says so); `-` only where the field is signed
//             (FD, addrlen, socket args).
//   FS        `|`-joined execute write_file read_file read_dir remove_dir remove_file make_char
//             make_dir make_reg make_sock make_fifo make_block make_sym refer truncate ioctl_dev,
//             or numbers (u64); NET: bind connect or numbers; SCOPES: abstract_unix_socket signal.
//   CREATEFLAGS `|`-joined version errata or numbers; SENDFLAGS: fastopen dontwait or numbers.
//   TYPE      net_port (2) | path_beneath (1) | an int32. Structured forms need a named type.
//   parent_fd A NAME of any fd-returning op (an open, usually with `path`). In the structured
//             path_beneath form a NAME writes 0 into bytes 8..11 and sets Op::parent_fd (the
//             runner patches it); an integer is written into the bytes. With attr= it sets
//             Op::parent_fd (handle or raw) and the bytes stay as given.
//   FAMILY    unspec unix inet inet6 | int32.   PROTOCOL 0 tcp udp sctp udplite mptcp | int32.
//   TYPE(sock) `|`-joined stream dgram raw seqpacket nonblock cloexec or numbers, or one int32.
//   ADDR      inet:A.B.C.D:PORT    16-byte sockaddr_in
//             inet6:[IPV6]:PORT    28-byte sockaddr_in6 (flowinfo and scope_id 0; `::` allowed)
//             unspec               16 zero bytes
//             unspec:A.B.C.D:PORT  sockaddr_in layout, family 0
//             unspec6:[IPV6]:PORT  sockaddr_in6 layout, family 0
//             family:N:LEN         LEN (2..256) bytes, family N (u16, little-endian), rest zero
//             hex:HEX              any bytes (may be empty)
//             null                 NULL pointer (addrlen defaults to 0)
//             addrlen defaults to the number of bytes; readable (<= bytes) to all of them.
//   HEX       an even number of hex digits, no separators.
//   PATH      `.`, or names of [A-Za-z0-9._-]+ (at most 255 bytes; never `.` or `..`) joined by
//             single `/`s, no leading or trailing `/`; not the single name `expect`.
//   KIND      reg | dir | fifo | sock | whiteout (char 0:0) | char:MAJOR:MINOR |
//             block:MAJOR:MINOR (u32s, Op::dev = glibc makedev) | an octal file type (0140000,
//             0 ...; no permission bits). mode= holds the permission bits (octal, default 0755):
//             Op::mode = type | permissions. dev= (u64, default 0) only with reg, dir, fifo, sock
//             or an octal type.
//   OPENFLAGS `|`-joined rdonly wronly rdwr (at most one) creat excl trunc directory path
//             cloexec or numbers (x86_64 O_* values; the engine adds O_NONBLOCK).
//   RENAMEFLAGS `|`-joined noreplace exchange whiteout or numbers.
//   CMD       fioclex fionclex fionbio fioasync fioqsize fifreeze fithaw fs_ioc_fiemap figetbsz
//             ficlone ficlonerange fideduperange fs_ioc_getfsuuid fs_ioc_getfssysfspath fionread
//             fs_ioc_getflags fs_ioc_setflags (x86_64 numbers) | a u32.
//   at=, at2= a directory fd (FD): a NAME, usually of an `open ... path|directory`, or an int32.
//
// Keys may come in any order, each at most once. Limits: 1 MiB per file, 4096 bytes per line.
// Error columns are 1-based byte columns of the offending piece: the value of a key=value, the
// item of a `|` list, the part of an address; a missing argument points just past the last token.

#ifndef LOCKSTEP_SCENARIO_SCN_H_
#define LOCKSTEP_SCENARIO_SCN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scenario/scenario.h"

namespace lockstep {

inline constexpr size_t kScnMaxFileBytes = 1u << 20;
inline constexpr size_t kScnMaxLineBytes = 4096;

// Parses .scn text. Errors are InvalidArgumentError("FILE:LINE:COL: message"). Ops get
// Op::line set to their line.
absl::StatusOr<Scenario> ParseScn(absl::string_view text, absl::string_view filename);

// Prints `scenario` canonically (structured forms where the bytes allow, raw forms otherwise,
// `expect` last). For every scenario ParseScn returned, ParseScn(PrintScn(s)) == s.
// Scenarios built in code may hold what the text cannot say; the printer then does what the
// runner would do: an unnamed fd-returning op that later ops refer to gets a fresh name, an
// invalid or duplicate name is replaced, a handle that can never resolve (to a later op or to
// an op returning no fd) prints as -1, and fields the op kind does not use are not printed.
// A mem of more than about 2000 bytes prints as a line longer than the parser accepts.
std::string PrintScn(const Scenario& scenario);

// The errno number for a name ErrnoName prints ("EACCES" -> 13), also "EWOULDBLOCK"-style
// aliases; 0 when unknown.
int ErrnoFromName(absl::string_view name);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_SCN_H_
