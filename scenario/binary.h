// The compact binary form of a Scenario that fuzzers mutate. DecodeScenario is total: every byte
// string decodes to a valid, bounded Scenario (at most kBinaryMaxOps ops, at most kBinaryMaxMem
// bytes per mem). Small tag bytes select interesting values from tables; 0xff escapes to a raw
// little-endian value. Reading past the end of the input gives zero bytes.
//
//   SCENARIO  := TASK OP*            ops until the input ends or kBinaryMaxOps ops
//   TASK      := u8                  bit0: cap_sys_admin=1, bit1: no_new_privs=0
//   OP        := TAG, then the kind's body. TAG = u8 % kOpTagSpace (32); each kind has its tag
//                for good (scenario/binary.cc kTagKinds): a new kind takes the next free tag, so
//                every input EncodeScenario wrote (seeds made from corpus/, saved findings) keeps
//                its meaning when kinds are added. A tag no kind has yet is inert: that byte is
//                skipped and no op is made (so a fuzzer's input using it changes meaning when a
//                kind takes the tag; nothing encoded ever uses it). All 32 are taken today: the
//                next kind needs kOpTagSpace widened (below).
//     0 create_ruleset  RMEM [READABLE] SIZE CFLAGS        name r<index> when it returns an fd
//     1 add_rule        FD RULETYPE AMEM [READABLE] RFLAGS
//     2 restrict_self   FD RFLAGS
//     3 no_new_privs    -
//     4 close           FD
//     5 socket          FAMILY SOCKKIND                    name s<index>
//     6 bind            FD SMEM [READABLE] ADDRLEN         ([READABLE] only when the mem is not
//     7 connect         FD SMEM [READABLE] ADDRLEN          NULL)
//     8 sendto          FD SMEM [READABLE] ADDRLEN SFLAGS
//     9 mkdir           PATH AT                 15 unlink      PATH AT
//    10 mknod           PATH NODE AT            16 rmdir       PATH AT
//    11 open            PATH OFLAGS AT          17 rename      PATH PATH RNFLAGS AT AT
//                       name f<index>           18 link        PATH PATH AT AT
//    12 execute         PATH AT                 19 ioctl       FD CMD
//    13 truncate        PATH AT                 20 bind_mount  PATH PATH AT AT
//    14 ftruncate       FD                      21 execve      PATH AT
//    22 thread          -                       23 on_thread   FD
//    24 fork            -                       25 kill        FD SIGNAL
//    26 ptrace          FD                      27 traceme     -
//    28 listen          FD                      29 setown      FD FD (the owner task)
//    30 sigwait         CHOICE(WAITSIGNALS, 4)  31 accept      FD CHOICE(ACCEPTFLAGS, 4)
//
//   CHOICE(T, w) u8 t: t == 0xff -> next w bytes, little-endian; else T[t % |T|]
//   FD       u8 f: f < 0x80 -> handle to the (f % n)-th most recent earlier fd-returning op (n of
//            them; Raw(-1) when n == 0); f == 0xff -> raw int32; else raw {-1, 0, 3, 1000}[f % 4]
//   AT       u8 a: 0 -> absent (the root); 0 < a < 0x80 -> handle to the ((a - 1) % n)-th most
//            recent fd-returning op (Raw(-1) when n == 0); else as FD
//   PATH     u8 p: 0xfe -> "."; 0xff -> u16 n, then min(n, 4095) bytes made valid by fs::SafePath
//            (scenario/fs_ops.h); else 1 + (p >> 6) names from {a b c d e f} joined by '/': the
//            first is [(p & 0x3f) % 6], each further one [u8 % 6] (small names make ops meet)
//   NODE     u8: 0xff -> u32 mode, u64 dev; else [t % 8] of (type with mode 0755, dev): reg, fifo,
//            sock, char 1:3, whiteout (char 0:0), block 0:0, dir, type 0
//   OFLAGS   CHOICE({rdonly, wronly, rdwr, wronly|creat, rdwr|creat, wronly|creat|excl,
//            wronly|trunc, rdonly|directory, path, path|directory, rdonly|cloexec,
//            creat|directory, rdwr|trunc, 3}, 4)
//   RNFLAGS  CHOICE({0, noreplace, exchange, whiteout, exchange|noreplace, 8}, 4)
//   CMD      CHOICE({fionread, fioclex, fionclex, fionbio, fioasync, fioqsize, figetbsz, fifreeze,
//            fithaw, fs_ioc_fiemap, ficlone, ficlonerange, fideduperange, fs_ioc_getfsuuid,
//            fs_ioc_getfssysfspath, fs_ioc_getflags, fs_ioc_setflags}, 4)
//   RMEM     u8 % 3: 0 RulesetAttr(ACCESS fs, ACCESS net, ACCESS scoped) | 1 NULL | 2 RAW
//   AMEM     u8 % 5: 0 NetPortAttr(ACCESS, PORT64) | 1 PathBeneathAttr(ACCESS, FD): a handle
//            sets Op::parent_fd (bytes 8..11 zero), a raw fd goes into the bytes | 2 NULL | 3 RAW
//            | 4 (u8 % 2: NULL | RAW) then FD into Op::parent_fd
//   SMEM     u8 % 7: 0 inet PORT16 IPV4 | 1 inet6 PORT16 IPV6 | 2 unspec PORT16 IPV4 |
//            3 unspec6 PORT16 IPV6 | 4 family CHOICE({2,10,0,1,46},2) CHOICE(LENS,2) (LEN clamped
//            to 256) | 5 NULL | 6 RAW
//   RAW      u8 n: n < 255 -> n bytes; n == 255 -> u8 e, 255 + (e & 1) bytes
//   READABLE u8 r: 0 all bytes | 1 u16 v, min(v, size) | r >= 2: min(r - 2, size)
//   ACCESS   CHOICE({0, 1, 2, 3, 4, 0xffff, 0x10000, 0x1ffff, 1<<63, ~0}, 8)
//   PORT64   CHOICE({0, 1, 80, 443, 65535, 65536, 1<<32, 2^64-1}, 8)
//   PORT16   CHOICE({0, 1, 80, 443, 1024, 8080, 65535}, 2)
//   IPV4     CHOICE({127.0.0.1, 0.0.0.0, 255.255.255.255, 10.0.0.1}, 4)  (host-order value)
//   IPV6     u8: 0xff -> 16 bytes; else {::1, ::, ::ffff:127.0.0.1, fe80::1}[t % 4]
//   SIZE     CHOICE({<attr bytes>, 0, 1, 8, 16, 23, 24, 25, 32, 4096, 4097}, 8)
//   ADDRLEN  CHOICE({<mem bytes>, 0, 1, 2, 15, 16, 23, 24, 27, 28, 128, 129, -1}, 4)
//   LENS     {16, 2, 8, 24, 28, 110, 128, 129, 0, 1}
//   CFLAGS   CHOICE({0, version, errata, version|errata, 4, 0x80000000}, 4)
//   RFLAGS   CHOICE({0, 1, 2, 4, 7, 8}, 4)
//   SFLAGS   CHOICE({0, fastopen, dontwait, fastopen|dontwait, 0x4000}, 4)
//   RULETYPE CHOICE({2, 1, 0, 3, -1}, 4)
//   SIGNAL   CHOICE({0, SIGUSR1, SIGUSR2, SIGURG, SIGCHLD, SIGWINCH, 65, -1}, 4)
//   WAITSIGNALS {SIGIO, SIGUSR1, SIGUSR2, SIGURG, SIGCHLD, SIGWINCH, 0, 65}
//   ACCEPTFLAGS {0, nonblock, cloexec, nonblock|cloexec, 1}
//   FAMILY   CHOICE({2, 10, 1, 0, 46}, 4)
//   SOCKKIND u8: 0xff -> int32 type, int32 protocol; else [t % 10] of (type, protocol):
//            stream/0, stream/tcp, dgram/0, dgram/udp, stream/mptcp, seqpacket/0, raw/0,
//            stream/sctp, stream|nonblock/0, dgram/udplite

#ifndef LOCKSTEP_SCENARIO_BINARY_H_
#define LOCKSTEP_SCENARIO_BINARY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "scenario/scenario.h"

namespace lockstep {

inline constexpr size_t kBinaryMaxOps = 48;
// Op tags are a byte modulo this; tags without a kind are inert (see OP above). Widening it would
// change only inputs no encoder wrote (bytes at or above the old width).
inline constexpr size_t kOpTagSpace = 32;
inline constexpr size_t kBinaryMaxMem = 256;

// Which op kinds the decoder gives: all of them, or only the ones that never reach the filesystem
// (!ReachesFilesystem, scenario/scenario.h) for fuzzing the network half alone (./lockstep fuzz
// --ops network). The tag of a kind left out is inert, as an unassigned tag is.
enum class DecodeOps { kAll, kNetwork };

// Any bytes -> a valid Scenario. Never fails, never crashes.
Scenario DecodeScenario(absl::Span<const uint8_t> bytes, DecodeOps ops = DecodeOps::kAll);

// What DecodeScenario(EncodeScenario(s)) gives back: `s` with canonical names (r<N> for a
// create_ruleset that returns an fd, s<N> for a socket, f<N> for an open, none on other ops), no
// expects, line 0; also (for scenarios built in code) handles that cannot resolve become Raw(-1)
// as the runner would pass, paths become fs::SafePath of themselves as the runner would pass
// them, fields the op kind does not use are cleared, `readable` is clamped to the bytes, a NULL
// mem has no bytes, and anything beyond the bounds (ops, mem bytes) is dropped.
Scenario CanonicalForBinary(Scenario scenario);

// Bytes that decode to CanonicalForBinary(s).
std::vector<uint8_t> EncodeScenario(const Scenario& s);

}  // namespace lockstep

#endif  // LOCKSTEP_SCENARIO_BINARY_H_
