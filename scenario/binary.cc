#include "scenario/binary.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "engine/landlock_uapi.h"
#include "scenario/fs_ops.h"
#include "scenario/internal/bytes.h"

namespace lockstep {
namespace {

// Op tags: an op's first byte modulo kOpTagSpace is its tag; each kind's tag is the binary tag
// column of engine/ops.h's table. A kind keeps its tag forever: a new kind takes the next free
// tag, so every seed EncodeScenario wrote (corpus/ seeds, saved findings) keeps its meaning. Tags
// no kind has yet are inert (the byte is skipped, no op); a new kind gives its tag a meaning,
// which changes only inputs a fuzzer made up with that tag. The first nine are the kinds that
// existed before the filesystem ops, in their old order.
constexpr size_t kNumTags = kNumOpKinds;
static_assert(kNumTags <= kOpTagSpace, "more kinds than op tags: see binary.h before widening");

// Whether the tags are 0..kNumOpKinds-1, each once (so kTagKinds below is total).
constexpr bool TagsAreDense() {
  bool seen[kNumOpKinds] = {};
  for (const OpInfo& info : kOpInfo) {
    if (info.tag < 0 || info.tag >= kNumOpKinds || seen[info.tag]) return false;
    seen[info.tag] = true;
  }
  return true;
}
static_assert(TagsAreDense(), "engine/ops.h: binary tags must be unique, the next free one each");

// Tag t is kTagKinds[t] (the inverse of the table's tag column).
constexpr std::array<OpKind, kNumTags> KindsOfTags() {
  std::array<OpKind, kNumTags> kinds{};
  for (const OpKind k : kAllOpKinds) kinds[static_cast<size_t>(InfoOf(k).tag)] = k;
  return kinds;
}
constexpr std::array<OpKind, kNumTags> kTagKinds = KindsOfTags();

// The tag of each kind.
constexpr std::array<uint8_t, kNumOpKinds> TagsOfKinds() {
  std::array<uint8_t, kNumOpKinds> tags{};
  for (const OpKind k : kAllOpKinds) {
    tags[static_cast<size_t>(k)] = static_cast<uint8_t>(InfoOf(k).tag);
  }
  return tags;
}
constexpr std::array<uint8_t, kNumOpKinds> kKindTags = TagsOfKinds();
constexpr uint8_t kEscape = 0xff;

// Tables (values of 4-byte fields as their uint32 bit patterns).
constexpr uint64_t kAccess[] = {0,       1,       2,           3,           4,
                                0xffff,  0x10000, 0x1ffff,     1ull << 63,  ~0ull};
constexpr uint64_t kPort64[] = {0, 1, 80, 443, 65535, 65536, 1ull << 32, ~0ull};
constexpr uint64_t kPort16[] = {0, 1, 80, 443, 1024, 8080, 65535};
constexpr uint64_t kIpv4[] = {0x7f000001u, 0x00000000u, 0xffffffffu, 0x0a000001u};
constexpr uint64_t kSizeTail[] = {0, 1, 8, 16, 23, 24, 25, 32, 4096, 4097};  // after <attr bytes>
constexpr uint64_t kAddrlenTail[] = {0, 1, 2, 15, 16, 23, 24, 27, 28, 128, 129, 0xffffffffu};
constexpr uint64_t kFamily16[] = {2, 10, 0, 1, 46};
constexpr uint64_t kLens[] = {16, 2, 8, 24, 28, 110, 128, 129, 0, 1};
constexpr uint64_t kCreateFlags[] = {0, 1, 2, 3, 4, 0x80000000u};
constexpr uint64_t kRuleFlags[] = {0, 1, 2, 4, 7, 8};
constexpr uint64_t kSendFlags[] = {0, 0x20000000u, 0x40, 0x20000040u, 0x4000};
constexpr uint64_t kRuleTypes[] = {2, 1, 0, 3, 0xffffffffu};
constexpr uint64_t kFamilies[] = {2, 10, 1, 0, 46};
constexpr int kRawFds[] = {-1, 0, 3, 1000};
// kill's signals: none that would stop or end a real task (the live engine runs them too).
constexpr uint64_t kSignals[] = {0, 10, 12, 23, 17, 28, 65, 0xffffffff};
// sigwait's: SIGIO first (what a file's owner gets), then what kill sends.
constexpr uint64_t kWaitSignals[] = {29, 10, 12, 23, 17, 28, 0, 65};
// accept4's flags: none, SOCK_NONBLOCK, SOCK_CLOEXEC, both, one it refuses.
constexpr uint64_t kAcceptFlags[] = {0, 04000, 02000000, 02004000, 1};
constexpr uint8_t kAtRootByte = 0;   // AT: absent
constexpr uint8_t kDotPath = 0xfe;   // PATH: "."
constexpr char kPathNames[] = "abcdef";
constexpr size_t kNumPathNames = sizeof(kPathNames) - 1;
constexpr size_t kMaxShortDepth = 4;
constexpr uint64_t kOpenFlags[] = {
    fs::kORdonly,
    fs::kOWronly,
    fs::kORdwr,
    fs::kOWronly | fs::kOCreat,
    fs::kORdwr | fs::kOCreat,
    fs::kOWronly | fs::kOCreat | fs::kOExcl,
    fs::kOWronly | fs::kOTrunc,
    fs::kORdonly | fs::kODirectory,
    fs::kOPath,
    fs::kOPath | fs::kODirectory,
    fs::kORdonly | fs::kOCloexec,
    fs::kOCreat | fs::kODirectory,
    fs::kORdwr | fs::kOTrunc,
    fs::kOAccmode,
};
constexpr uint64_t kRenameFlags[] = {0,
                                     fs::kRenameNoreplace,
                                     fs::kRenameExchange,
                                     fs::kRenameWhiteout,
                                     fs::kRenameExchange | fs::kRenameNoreplace,
                                     8};
constexpr uint64_t kIoctlCommands[] = {
    fs::kFionread,   fs::kFioclex,      fs::kFionclex,       fs::kFionbio,
    fs::kFioasync,   fs::kFioqsize,     fs::kFigetbsz,       fs::kFifreeze,
    fs::kFithaw,     fs::kFsIocFiemap,  fs::kFiclone,        fs::kFiclonerange,
    fs::kFideduperange, fs::kFsIocGetfsuuid, fs::kFsIocGetfssysfspath, fs::kFsIocGetflags,
    fs::kFsIocSetflags,
};
struct NodeKind {
  uint32_t mode;
  uint64_t dev;
};
// Only the devices the engines share: the null device, the whiteout and block 0:0.
constexpr NodeKind kNodeKinds[] = {
    {fs::kSIfreg | fs::kDefaultPermissions, 0},
    {fs::kSIfifo | fs::kDefaultPermissions, 0},
    {fs::kSIfsock | fs::kDefaultPermissions, 0},
    {fs::kSIfchr | fs::kDefaultPermissions, fs::kNullDevice},
    {fs::kSIfchr | fs::kDefaultPermissions, 0},
    {fs::kSIfblk | fs::kDefaultPermissions, 0},
    {fs::kSIfdir | fs::kDefaultPermissions, 0},
    {fs::kDefaultPermissions, 0},
};
constexpr size_t kNumNodeKinds = sizeof(kNodeKinds) / sizeof(kNodeKinds[0]);
constexpr std::array<uint8_t, 16> kIpv6[] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1},
    {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
};
struct SockKind {
  int32_t type;
  int32_t protocol;
};
constexpr SockKind kSockKinds[] = {{1, 0},     {1, 6},   {2, 0}, {2, 17},     {1, 262},
                                   {5, 0},     {3, 0},   {1, 132}, {1 | 0x800, 0}, {2, 136}};

template <size_t N>
constexpr size_t Count(const uint64_t (&)[N]) {
  return N;
}

using scenario_internal::AllZero;
using scenario_internal::Host16;
using scenario_internal::Host32;
using scenario_internal::Host64;

bool ValidHandle(const Scenario& s, const FdRef& ref, size_t at) {
  return ref.kind == FdRef::Kind::kHandle && ref.value >= 0 &&
         static_cast<size_t>(ref.value) < at && ReturnsFd(s.ops[ref.value]);
}

std::string CanonicalName(const Op& op, size_t index) {
  if (!ReturnsFd(op)) return "";
  const char* prefix = op.kind == OpKind::kSocket ? "s" : op.kind == OpKind::kOpen ? "f" : "r";
  return prefix + std::to_string(index);
}

// The indexes into kPathNames of a path of one to kMaxShortDepth names from it, else empty.
std::vector<size_t> ShortPathNames(const std::string& path) {
  std::vector<size_t> names;
  for (size_t i = 0; i < path.size(); i += 2) {
    const char* hit = std::strchr(kPathNames, path[i]);
    const bool separated = i + 1 == path.size() || path[i + 1] == '/';
    if (path[i] == '\0' || hit == nullptr || !separated || names.size() == kMaxShortDepth) {
      return {};
    }
    names.push_back(static_cast<size_t>(hit - kPathNames));
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Reader {
 public:
  explicit Reader(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}
  bool AtEnd() const { return pos_ >= bytes_.size(); }
  size_t Remaining() const { return AtEnd() ? 0 : bytes_.size() - pos_; }
  uint8_t U8() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }
  uint64_t LE(int width) {
    uint64_t v = 0;
    for (int i = 0; i < width; ++i) v |= static_cast<uint64_t>(U8()) << (8 * i);
    return v;
  }
  std::vector<uint8_t> Bytes(size_t n) {
    std::vector<uint8_t> b(n, 0);
    for (size_t i = 0; i < n; ++i) b[i] = U8();
    return b;
  }
  uint64_t Choice(absl::Span<const uint64_t> table, int width) {
    const uint8_t t = U8();
    if (t == kEscape) return LE(width);
    return table[t % table.size()];
  }
  // A table whose first entry is `first` (a value known only at run time), then `tail`.
  uint64_t Choice(uint64_t first, absl::Span<const uint64_t> tail, int width) {
    const uint8_t t = U8();
    if (t == kEscape) return LE(width);
    const size_t i = t % (tail.size() + 1);
    return i == 0 ? first : tail[i - 1];
  }

 private:
  absl::Span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

class Decoder {
 public:
  Decoder(absl::Span<const uint8_t> bytes, DecodeOps ops) : r_(bytes), ops_(ops) {}

  Scenario Run() {
    Scenario s;
    if (r_.AtEnd()) return s;
    const uint8_t task = r_.U8();
    s.task.cap_sys_admin = (task & 1) != 0;
    s.task.no_new_privs = (task & 2) == 0;
    // Every op takes at least its tag byte: one allocation for all of them, not one per growth.
    s.ops.reserve(std::min(r_.Remaining(), kBinaryMaxOps));
    fd_ops_.reserve(s.ops.capacity());
    while (!r_.AtEnd() && s.ops.size() < kBinaryMaxOps) {
      const size_t index = s.ops.size();
      const uint8_t tag = r_.U8() % kOpTagSpace;
      if (tag >= kNumTags) continue;  // no kind has this tag yet: inert
      const OpKind kind = kTagKinds[tag];
      if (ops_ == DecodeOps::kNetwork && ReachesFilesystem(kind)) continue;  // left out: inert
      Op op = DecodeOp(kind);
      op.name = CanonicalName(op, index);
      if (ReturnsFd(op)) fd_ops_.push_back(static_cast<int>(index));
      s.ops.push_back(std::move(op));
    }
    return s;
  }

 private:
  FdRef Fd() {
    const uint8_t f = r_.U8();
    if (f < 0x80) {
      if (fd_ops_.empty()) return FdRef::Raw(-1);
      const size_t k = f % fd_ops_.size();
      return FdRef::Handle(fd_ops_[fd_ops_.size() - 1 - k]);
    }
    if (f == kEscape) return FdRef::Raw(static_cast<int32_t>(static_cast<uint32_t>(r_.LE(4))));
    return FdRef::Raw(kRawFds[f % 4]);
  }

  // The handle/raw part of FD and AT share one byte layout; AT's 0 is the root.
  std::optional<FdRef> At() {
    const uint8_t a = r_.U8();
    if (a == kAtRootByte) return std::nullopt;
    if (a < 0x80) {
      if (fd_ops_.empty()) return FdRef::Raw(-1);
      const size_t k = (a - 1u) % fd_ops_.size();
      return FdRef::Handle(fd_ops_[fd_ops_.size() - 1 - k]);
    }
    if (a == kEscape) return FdRef::Raw(static_cast<int32_t>(static_cast<uint32_t>(r_.LE(4))));
    return FdRef::Raw(kRawFds[a % 4]);
  }

  std::string Path() {
    const uint8_t p = r_.U8();
    if (p == kDotPath) return ".";
    if (p == kEscape) {
      const size_t n = std::min<size_t>(r_.LE(2), fs::kMaxPathBytes);
      const std::vector<uint8_t> b = r_.Bytes(n);
      return fs::SafePath(std::string(b.begin(), b.end()));
    }
    std::string path(1, kPathNames[(p & 0x3f) % kNumPathNames]);
    for (size_t depth = 1 + (p >> 6); depth > 1; --depth) {
      path += '/';
      path += kPathNames[r_.U8() % kNumPathNames];
    }
    return path;
  }

  std::vector<uint8_t> Raw() {
    size_t n = r_.U8();
    if (n == 255) n += r_.U8() & 1;
    return r_.Bytes(n);
  }

  void Readable(UserMem& mem) {
    if (mem.null) return;
    const size_t n = mem.bytes.size();
    const uint8_t t = r_.U8();
    if (t == 0) {
      mem.readable = n;
    } else if (t == 1) {
      mem.readable = std::min<size_t>(r_.LE(2), n);
    } else {
      mem.readable = std::min<size_t>(t - 2u, n);
    }
  }

  uint64_t Access() { return r_.Choice(kAccess, 8); }
  uint16_t Port16() { return static_cast<uint16_t>(r_.Choice(kPort16, 2)); }
  uint32_t Ipv4() { return static_cast<uint32_t>(r_.Choice(kIpv4, 4)); }
  std::vector<uint8_t> Ipv6() {
    const uint8_t t = r_.U8();
    if (t == kEscape) return r_.Bytes(16);
    const auto& a = kIpv6[t % 4];
    return std::vector<uint8_t>(a.begin(), a.end());
  }

  UserMem SockaddrMem() {
    switch (r_.U8() % 7) {
      case 0: {
        const uint16_t port = Port16();
        return UserMem::Of(SockaddrIn(port, Ipv4()));
      }
      case 1: {
        const uint16_t port = Port16();
        return UserMem::Of(SockaddrIn6(port, Ipv6(), 0));
      }
      case 2: {
        const uint16_t port = Port16();
        return UserMem::Of(SockaddrUnspec(port, Ipv4(), net::kSockaddrInSize));
      }
      case 3: {
        const uint16_t port = Port16();
        std::vector<uint8_t> b = SockaddrIn6(port, Ipv6(), 0);
        b[0] = b[1] = 0;
        return UserMem::Of(std::move(b));
      }
      case 4: {
        const int family = static_cast<int>(r_.Choice(kFamily16, 2));
        const size_t len = std::min<size_t>(r_.Choice(kLens, 2), kBinaryMaxMem);
        return UserMem::Of(SockaddrOfFamily(family, len));
      }
      case 5:
        return UserMem::Null();
      default:
        return UserMem::Of(Raw());
    }
  }

  Op DecodeOp(OpKind kind) {
    Op op;
    op.kind = kind;
    switch (op.kind) {
      case OpKind::kCreateRuleset: {
        switch (r_.U8() % 3) {
          case 0: {
            const uint64_t fs = Access();
            const uint64_t net = Access();
            const uint64_t scoped = Access();
            op.mem = UserMem::Of(RulesetAttr(fs, net, scoped));
            break;
          }
          case 1: op.mem = UserMem::Null(); break;
          default: op.mem = UserMem::Of(Raw()); break;
        }
        Readable(op.mem);
        op.size = r_.Choice(op.mem.bytes.size(), kSizeTail, 8);
        op.flags = static_cast<uint32_t>(r_.Choice(kCreateFlags, 4));
        break;
      }
      case OpKind::kAddRule: {
        op.fd = Fd();
        op.rule_type = static_cast<int32_t>(static_cast<uint32_t>(r_.Choice(kRuleTypes, 4)));
        switch (r_.U8() % 5) {
          case 0: {
            const uint64_t access = Access();
            op.mem = UserMem::Of(NetPortAttr(access, r_.Choice(kPort64, 8)));
            break;
          }
          case 1: {
            const uint64_t access = Access();
            const FdRef parent = Fd();
            if (parent.kind == FdRef::Kind::kHandle) {
              op.mem = UserMem::Of(PathBeneathAttr(access, 0));
              op.parent_fd = parent;
            } else {
              op.mem = UserMem::Of(PathBeneathAttr(access, parent.value));
            }
            break;
          }
          case 2: op.mem = UserMem::Null(); break;
          case 3: op.mem = UserMem::Of(Raw()); break;
          default:
            op.mem = (r_.U8() % 2 == 0) ? UserMem::Null() : UserMem::Of(Raw());
            op.parent_fd = Fd();
            break;
        }
        Readable(op.mem);
        op.flags = static_cast<uint32_t>(r_.Choice(kRuleFlags, 4));
        break;
      }
      case OpKind::kRestrictSelf:
        op.fd = Fd();
        op.flags = static_cast<uint32_t>(r_.Choice(kRuleFlags, 4));
        break;
      case OpKind::kSetNoNewPrivs:
      case OpKind::kThread:
      case OpKind::kFork:
      case OpKind::kTraceme:
        break;
      case OpKind::kClose:
      case OpKind::kListen:
      case OpKind::kOnThread:
      case OpKind::kPtrace:
        op.fd = Fd();
        break;
      case OpKind::kKill:
        op.fd = Fd();
        op.flags = static_cast<uint32_t>(r_.Choice(kSignals, 4));
        break;
      case OpKind::kSetown:
        op.fd = Fd();
        op.at = Fd();
        break;
      case OpKind::kSigwait:
        op.flags = static_cast<uint32_t>(r_.Choice(kWaitSignals, 4));
        break;
      case OpKind::kAccept:
        op.fd = Fd();
        op.flags = static_cast<uint32_t>(r_.Choice(kAcceptFlags, 4));
        break;
      case OpKind::kSocket: {
        op.family = static_cast<int32_t>(static_cast<uint32_t>(r_.Choice(kFamilies, 4)));
        const uint8_t t = r_.U8();
        if (t == kEscape) {
          op.type = static_cast<int32_t>(static_cast<uint32_t>(r_.LE(4)));
          op.protocol = static_cast<int32_t>(static_cast<uint32_t>(r_.LE(4)));
        } else {
          const SockKind& k = kSockKinds[t % (sizeof(kSockKinds) / sizeof(kSockKinds[0]))];
          op.type = k.type;
          op.protocol = k.protocol;
        }
        break;
      }
      case OpKind::kBind:
      case OpKind::kConnect:
      case OpKind::kSendTo:
        op.fd = Fd();
        op.mem = SockaddrMem();
        Readable(op.mem);
        op.addrlen = static_cast<int32_t>(
            static_cast<uint32_t>(r_.Choice(op.mem.bytes.size(), kAddrlenTail, 4)));
        if (op.kind == OpKind::kSendTo) {
          op.flags = static_cast<uint32_t>(r_.Choice(kSendFlags, 4));
        }
        break;
      case OpKind::kFtruncate:
        op.fd = Fd();
        break;
      case OpKind::kIoctl:
        op.fd = Fd();
        op.flags = static_cast<uint32_t>(r_.Choice(kIoctlCommands, 4));
        break;
      case OpKind::kMkdir:
      case OpKind::kMknod:
      case OpKind::kOpen:
      case OpKind::kExecute:
      case OpKind::kExecve:
      case OpKind::kTruncate:
      case OpKind::kUnlink:
      case OpKind::kRmdir:
      case OpKind::kRename:
      case OpKind::kLink:
      case OpKind::kBindMount: {
        op.path = Path();
        if (TakesSecondPath(op.kind)) op.path2 = Path();
        if (op.kind == OpKind::kMknod) {
          const uint8_t k = r_.U8();
          if (k == kEscape) {
            op.mode = static_cast<uint32_t>(r_.LE(4));
            op.dev = r_.LE(8);
          } else {
            op.mode = kNodeKinds[k % kNumNodeKinds].mode;
            op.dev = kNodeKinds[k % kNumNodeKinds].dev;
          }
        }
        if (op.kind == OpKind::kOpen) op.flags = static_cast<uint32_t>(r_.Choice(kOpenFlags, 4));
        if (op.kind == OpKind::kRename) {
          op.flags = static_cast<uint32_t>(r_.Choice(kRenameFlags, 4));
        }
        op.at = At();
        if (TakesSecondPath(op.kind)) op.at2 = At();
        break;
      }
    }
    return op;
  }

  Reader r_;
  DecodeOps ops_;
  std::vector<int> fd_ops_;
};

// ---------------------------------------------------------------------------------------------
// Encoding (of a canonical scenario)

class Encoder {
 public:
  explicit Encoder(const Scenario& s) : s_(s) {}

  std::vector<uint8_t> Run() {
    out_.push_back(static_cast<uint8_t>((s_.task.cap_sys_admin ? 1 : 0) |
                                        (s_.task.no_new_privs ? 0 : 2)));
    for (size_t i = 0; i < s_.ops.size(); ++i) {
      EncodeOp(s_.ops[i]);
      if (ReturnsFd(s_.ops[i])) fd_ops_.push_back(static_cast<int>(i));
    }
    return std::move(out_);
  }

 private:
  void U8(uint8_t v) { out_.push_back(v); }
  void LE(uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Choice(absl::Span<const uint64_t> table, int width, uint64_t v) {
    for (size_t i = 0; i < table.size(); ++i) {
      if (table[i] == v) return U8(static_cast<uint8_t>(i));
    }
    U8(kEscape);
    LE(v, width);
  }
  void Choice(uint64_t first, absl::Span<const uint64_t> tail, int width, uint64_t v) {
    if (v == first) return U8(0);
    for (size_t i = 0; i < tail.size(); ++i) {
      if (tail[i] == v) return U8(static_cast<uint8_t>(i + 1));
    }
    U8(kEscape);
    LE(v, width);
  }
  void Fd(const FdRef& ref) {
    if (ref.kind == FdRef::Kind::kHandle) {
      for (size_t p = 0; p < fd_ops_.size(); ++p) {
        if (fd_ops_[p] == ref.value) return U8(static_cast<uint8_t>(fd_ops_.size() - 1 - p));
      }
      // Not reached for a canonical scenario; -1 is what the runner would pass.
      return U8(0x80);
    }
    for (int i = 0; i < 4; ++i) {
      if (kRawFds[i] == ref.value) return U8(static_cast<uint8_t>(0x80 + i));
    }
    U8(kEscape);
    LE(static_cast<uint32_t>(ref.value), 4);
  }
  void At(const std::optional<FdRef>& at) {
    if (!at) return U8(kAtRootByte);
    if (at->kind == FdRef::Kind::kHandle) {
      for (size_t p = 0; p < fd_ops_.size(); ++p) {
        if (fd_ops_[p] == at->value) return U8(static_cast<uint8_t>(fd_ops_.size() - p));
      }
      return U8(0x80);  // not reached for a canonical scenario
    }
    Fd(*at);  // raw: the same bytes as FD
  }
  void Path(const std::string& path) {
    if (path == ".") return U8(kDotPath);
    const std::vector<size_t> names = ShortPathNames(path);
    if (names.empty()) {
      U8(kEscape);
      LE(path.size(), 2);
      out_.insert(out_.end(), path.begin(), path.end());
      return;
    }
    U8(static_cast<uint8_t>((names.size() - 1) << 6 | names[0]));
    for (size_t i = 1; i < names.size(); ++i) U8(static_cast<uint8_t>(names[i]));
  }
  void Raw(const std::vector<uint8_t>& b) {
    if (b.size() < 255) {
      U8(static_cast<uint8_t>(b.size()));
    } else {
      U8(255);
      U8(static_cast<uint8_t>(b.size() - 255));
    }
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void Readable(const UserMem& mem) {
    if (mem.null) return;
    if (mem.readable >= mem.bytes.size()) return U8(0);
    if (mem.readable <= 253) return U8(static_cast<uint8_t>(mem.readable + 2));
    U8(1);
    LE(mem.readable, 2);
  }
  void Ipv6(const std::vector<uint8_t>& b, size_t at) {
    for (size_t t = 0; t < 4; ++t) {
      if (std::equal(kIpv6[t].begin(), kIpv6[t].end(), b.begin() + at)) {
        return U8(static_cast<uint8_t>(t));
      }
    }
    U8(kEscape);
    out_.insert(out_.end(), b.begin() + at, b.begin() + at + 16);
  }
  void SockaddrMem(const UserMem& mem) {
    const std::vector<uint8_t>& b = mem.bytes;
    if (mem.null) return U8(5);
    const uint16_t port = b.size() >= 4 ? static_cast<uint16_t>(b[2] << 8 | b[3]) : 0;
    if (b.size() == net::kSockaddrInSize && AllZero(b, 8, 16) &&
        (Host16(b, 0) == net::kAfInet || Host16(b, 0) == net::kAfUnspec)) {
      U8(Host16(b, 0) == net::kAfInet ? 0 : 2);
      Choice(kPort16, 2, port);
      const uint32_t ip = static_cast<uint32_t>(b[4]) << 24 | static_cast<uint32_t>(b[5]) << 16 |
                          static_cast<uint32_t>(b[6]) << 8 | b[7];
      return Choice(kIpv4, 4, ip);
    }
    if (b.size() == net::kSockaddrIn6Size && AllZero(b, 4, 8) && AllZero(b, 24, 28) &&
        (Host16(b, 0) == net::kAfInet6 || Host16(b, 0) == net::kAfUnspec)) {
      U8(Host16(b, 0) == net::kAfInet6 ? 1 : 3);
      Choice(kPort16, 2, port);
      return Ipv6(b, 8);
    }
    U8(6);
    Raw(b);
  }

  void EncodeOp(const Op& op) {
    U8(kKindTags[static_cast<size_t>(op.kind)]);
    const std::vector<uint8_t>& b = op.mem.bytes;
    switch (op.kind) {
      case OpKind::kCreateRuleset:
        if (op.mem.null) {
          U8(1);
        } else if (b.size() == landlock::kRulesetAttrSize) {
          U8(0);
          for (size_t at : {0, 8, 16}) Choice(kAccess, 8, Host64(b, at));
        } else {
          U8(2);
          Raw(b);
        }
        Readable(op.mem);
        Choice(b.size(), kSizeTail, 8, op.size);
        Choice(kCreateFlags, 4, op.flags);
        break;
      case OpKind::kAddRule: {
        Fd(op.fd);
        Choice(kRuleTypes, 4, static_cast<uint32_t>(op.rule_type));
        const bool twelve = !op.mem.null && b.size() == landlock::kPathBeneathAttrSize;
        if (op.parent_fd) {
          if (twelve && op.parent_fd->kind == FdRef::Kind::kHandle && Host32(b, 8) == 0) {
            U8(1);
            Choice(kAccess, 8, Host64(b, 0));
            Fd(*op.parent_fd);
          } else {
            U8(4);
            if (op.mem.null) {
              U8(0);
            } else {
              U8(1);
              Raw(b);
            }
            Fd(*op.parent_fd);
          }
        } else if (op.mem.null) {
          U8(2);
        } else if (b.size() == landlock::kNetPortAttrSize) {
          U8(0);
          Choice(kAccess, 8, Host64(b, 0));
          Choice(kPort64, 8, Host64(b, 8));
        } else if (twelve) {
          U8(1);
          Choice(kAccess, 8, Host64(b, 0));
          Fd(FdRef::Raw(static_cast<int32_t>(Host32(b, 8))));
        } else {
          U8(3);
          Raw(b);
        }
        Readable(op.mem);
        Choice(kRuleFlags, 4, op.flags);
        break;
      }
      case OpKind::kRestrictSelf:
        Fd(op.fd);
        Choice(kRuleFlags, 4, op.flags);
        break;
      case OpKind::kSetNoNewPrivs:
      case OpKind::kThread:
      case OpKind::kFork:
      case OpKind::kTraceme:
        break;
      case OpKind::kClose:
      case OpKind::kListen:
      case OpKind::kOnThread:
      case OpKind::kPtrace:
        Fd(op.fd);
        break;
      case OpKind::kKill:
        Fd(op.fd);
        Choice(kSignals, 4, op.flags);
        break;
      case OpKind::kSetown:
        Fd(op.fd);
        Fd(op.at.value_or(FdRef::Raw(-1)));
        break;
      case OpKind::kSigwait:
        Choice(kWaitSignals, 4, op.flags);
        break;
      case OpKind::kAccept:
        Fd(op.fd);
        Choice(kAcceptFlags, 4, op.flags);
        break;
      case OpKind::kSocket: {
        Choice(kFamilies, 4, static_cast<uint32_t>(op.family));
        for (size_t t = 0; t < sizeof(kSockKinds) / sizeof(kSockKinds[0]); ++t) {
          if (kSockKinds[t].type == op.type && kSockKinds[t].protocol == op.protocol) {
            return U8(static_cast<uint8_t>(t));
          }
        }
        U8(kEscape);
        LE(static_cast<uint32_t>(op.type), 4);
        LE(static_cast<uint32_t>(op.protocol), 4);
        break;
      }
      case OpKind::kBind:
      case OpKind::kConnect:
      case OpKind::kSendTo:
        Fd(op.fd);
        SockaddrMem(op.mem);
        Readable(op.mem);
        Choice(b.size(), kAddrlenTail, 4, static_cast<uint32_t>(op.addrlen));
        if (op.kind == OpKind::kSendTo) Choice(kSendFlags, 4, op.flags);
        break;
      case OpKind::kFtruncate:
        Fd(op.fd);
        break;
      case OpKind::kIoctl:
        Fd(op.fd);
        Choice(kIoctlCommands, 4, op.flags);
        break;
      case OpKind::kMkdir:
      case OpKind::kMknod:
      case OpKind::kOpen:
      case OpKind::kExecute:
      case OpKind::kExecve:
      case OpKind::kTruncate:
      case OpKind::kUnlink:
      case OpKind::kRmdir:
      case OpKind::kRename:
      case OpKind::kLink:
      case OpKind::kBindMount:
        Path(op.path);
        if (TakesSecondPath(op.kind)) Path(op.path2);
        if (op.kind == OpKind::kMknod) NodeKind(op.mode, op.dev);
        if (op.kind == OpKind::kOpen) Choice(kOpenFlags, 4, op.flags);
        if (op.kind == OpKind::kRename) Choice(kRenameFlags, 4, op.flags);
        At(op.at);
        if (TakesSecondPath(op.kind)) At(op.at2);
        break;
    }
  }
  void NodeKind(uint32_t mode, uint64_t dev) {
    for (size_t k = 0; k < kNumNodeKinds; ++k) {
      if (kNodeKinds[k].mode == mode && kNodeKinds[k].dev == dev) {
        return U8(static_cast<uint8_t>(k));
      }
    }
    U8(kEscape);
    LE(mode, 4);
    LE(dev, 8);
  }

  const Scenario& s_;
  std::vector<uint8_t> out_;
  std::vector<int> fd_ops_;
};

UserMem CanonicalMem(const UserMem& mem) {
  if (mem.null) return UserMem::Null();
  UserMem m = mem;
  if (m.bytes.size() > kBinaryMaxMem) m.bytes.resize(kBinaryMaxMem);
  m.readable = std::min(m.readable, m.bytes.size());
  return m;
}

}  // namespace

Scenario DecodeScenario(absl::Span<const uint8_t> bytes, DecodeOps ops) {
  return Decoder(bytes, ops).Run();
}

Scenario CanonicalForBinary(Scenario scenario) {
  Scenario out;
  out.task = scenario.task;
  const size_t n = std::min(scenario.ops.size(), kBinaryMaxOps);
  for (size_t i = 0; i < n; ++i) {
    const Op& op = scenario.ops[i];
    Op c;
    c.kind = op.kind;
    const auto fd = [&](const FdRef& ref) {
      if (ref.kind == FdRef::Kind::kRaw) return ref;
      return ValidHandle(out, ref, i) ? ref : FdRef::Raw(-1);
    };
    switch (op.kind) {
      case OpKind::kCreateRuleset:
        c.mem = CanonicalMem(op.mem);
        c.size = op.size;
        c.flags = op.flags;
        break;
      case OpKind::kAddRule:
        c.fd = fd(op.fd);
        c.rule_type = op.rule_type;
        c.mem = CanonicalMem(op.mem);
        c.flags = op.flags;
        if (op.parent_fd) c.parent_fd = fd(*op.parent_fd);
        break;
      case OpKind::kRestrictSelf:
        c.fd = fd(op.fd);
        c.flags = op.flags;
        break;
      case OpKind::kSetNoNewPrivs:
      case OpKind::kThread:
      case OpKind::kFork:
      case OpKind::kTraceme:
        break;
      case OpKind::kClose:
      case OpKind::kListen:
      case OpKind::kOnThread:
      case OpKind::kPtrace:
        c.fd = fd(op.fd);
        break;
      case OpKind::kKill:
        c.fd = fd(op.fd);
        c.flags = op.flags;
        break;
      case OpKind::kSetown:
        c.fd = fd(op.fd);
        c.at = fd(op.at.value_or(FdRef::Raw(-1)));
        break;
      case OpKind::kSigwait:
        c.flags = op.flags;
        break;
      case OpKind::kAccept:
        c.fd = fd(op.fd);
        c.flags = op.flags;
        break;
      case OpKind::kSocket:
        c.family = op.family;
        c.type = op.type;
        c.protocol = op.protocol;
        break;
      case OpKind::kBind:
      case OpKind::kConnect:
      case OpKind::kSendTo:
        c.fd = fd(op.fd);
        c.mem = CanonicalMem(op.mem);
        c.addrlen = op.addrlen;
        if (op.kind == OpKind::kSendTo) c.flags = op.flags;
        break;
      case OpKind::kFtruncate:
        c.fd = fd(op.fd);
        break;
      case OpKind::kIoctl:
        c.fd = fd(op.fd);
        c.flags = op.flags;
        break;
      case OpKind::kMkdir:
      case OpKind::kMknod:
      case OpKind::kOpen:
      case OpKind::kExecute:
      case OpKind::kExecve:
      case OpKind::kTruncate:
      case OpKind::kUnlink:
      case OpKind::kRmdir:
      case OpKind::kRename:
      case OpKind::kLink:
      case OpKind::kBindMount:
        c.path = fs::SafePath(op.path);
        if (op.at) c.at = fd(*op.at);
        if (TakesSecondPath(op.kind)) {
          c.path2 = fs::SafePath(op.path2);
          if (op.at2) c.at2 = fd(*op.at2);
        }
        if (op.kind == OpKind::kMknod) {
          c.mode = op.mode;
          c.dev = op.dev;
        }
        if (op.kind == OpKind::kOpen || op.kind == OpKind::kRename) c.flags = op.flags;
        break;
    }
    c.name = CanonicalName(c, i);
    out.ops.push_back(std::move(c));
  }
  return out;
}

std::vector<uint8_t> EncodeScenario(const Scenario& s) {
  const Scenario canonical = CanonicalForBinary(s);
  return Encoder(canonical).Run();
}

}  // namespace lockstep
