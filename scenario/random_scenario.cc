#include "scenario/random_scenario.h"

#include <optional>
#include <string>
#include <vector>

#include "engine/landlock_uapi.h"
#include "scenario/fs_ops.h"

namespace lockstep {
namespace {

class Gen {
 public:
  Gen(std::mt19937_64& rng, const RandomScenarioOptions& o) : rng_(rng), o_(o) {}

  Scenario Run() {
    Scenario s;
    s.task.no_new_privs = Chance(4) ? false : true;
    s.task.cap_sys_admin = Chance(4);
    const int n = static_cast<int>(Below(static_cast<uint64_t>(o_.max_ops) + 1));
    for (int i = 0; i < n; ++i) {
      Op op = MakeOp(i);
      s.ops.push_back(op);
      if (ReturnsFd(op) && (!op.name.empty() || o_.wild)) fd_ops_.push_back(i);
    }
    return s;
  }

 private:
  uint64_t U64() { return rng_(); }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(uint64_t one_in) { return Below(one_in) == 0; }
  template <typename T>
  T Pick(std::initializer_list<T> values) {
    return *(values.begin() + Below(values.size()));
  }

  uint64_t Access() {
    switch (Below(5)) {
      case 0: return Below(4);
      case 1: return Below(1u << 16);
      case 2: return 1ull << Below(64);
      case 3: return U64();
      default: return Pick<uint64_t>({0, 1, 2, 3, landlock::kAccessFsAll, 1ull << 16});
    }
  }
  int32_t I32() {
    switch (Below(3)) {
      case 0: return Pick<int32_t>({-1, 0, 1, 2, 3, 1000, INT32_MIN, INT32_MAX});
      case 1: return static_cast<int32_t>(Below(300));
      default: return static_cast<int32_t>(static_cast<uint32_t>(U64()));
    }
  }
  uint32_t U32Flags() {
    switch (Below(3)) {
      case 0: return 0;
      case 1: return static_cast<uint32_t>(Below(8));
      default: return static_cast<uint32_t>(U64());
    }
  }
  std::vector<uint8_t> Bytes(size_t n) {
    std::vector<uint8_t> b(n);
    for (auto& v : b) v = Chance(3) ? 0 : static_cast<uint8_t>(U64());
    return b;
  }
  void SetReadable(UserMem& m) {
    if (m.null) return;
    if (Chance(4)) m.readable = Below(m.bytes.size() + 1);
    if (o_.wild && Chance(8)) m.readable = m.bytes.size() + Below(5);
  }
  UserMem RawMem() {
    if (Chance(8)) return UserMem::Null();
    return UserMem::Of(Bytes(Below(o_.max_mem + 1)));
  }
  uint16_t Port16() {
    return Chance(2) ? Pick<uint16_t>({0, 1, 80, 443, 65535}) : static_cast<uint16_t>(U64());
  }
  std::vector<uint8_t> Ip6() {
    std::vector<uint8_t> a = Chance(2) ? Ipv6Loopback() : Bytes(16);
    if (Chance(3)) {  // runs of zero groups exercise '::'
      const size_t from = Below(8), len = Below(9 - from);
      for (size_t g = from; g < from + len; ++g) a[2 * g] = a[2 * g + 1] = 0;
    }
    return a;
  }
  UserMem Address() {
    switch (Below(8)) {
      case 0: return UserMem::Of(SockaddrIn(Port16(), static_cast<uint32_t>(U64())));
      case 1: return UserMem::Of(SockaddrIn6(Port16(), Ip6(), 0));
      case 2: return UserMem::Of(SockaddrUnspec(Port16(), static_cast<uint32_t>(U64())));
      case 3: {
        std::vector<uint8_t> b = SockaddrIn6(Port16(), Ip6(), 0);
        b[0] = b[1] = 0;
        return UserMem::Of(b);
      }
      case 4: return UserMem::Of(SockaddrOfFamily(static_cast<int>(Below(50)), 2 + Below(200)));
      case 5: return UserMem::Of(std::vector<uint8_t>(16, 0));
      case 6: return UserMem::Of(SockaddrIn6(Port16(), Ip6(), static_cast<uint32_t>(U64())));
      default: return RawMem();
    }
  }
  FdRef Fd() {
    if (o_.wild && Chance(6)) {
      return FdRef::Handle(static_cast<int>(Below(60)) - 5);  // dangling, later, or not an fd
    }
    if (!fd_ops_.empty() && !Chance(4)) return FdRef::Handle(fd_ops_[Below(fd_ops_.size())]);
    return FdRef::Raw(I32());
  }

  std::string Name() {
    if (!Chance(3)) return std::string(1, static_cast<char>('a' + Below(6)));
    static const char kChars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    std::string name(1 + Below(Chance(20) ? 255 : 12), 'x');
    for (char& c : name) c = kChars[Below(sizeof(kChars) - 1)];
    if (name == "." || name == "..") name += "x";
    return name;
  }
  std::string Path() {
    if (o_.wild && Chance(6)) {
      return Pick<std::string>({"", "/", "/etc/passwd", "..", "a/../b", "a//b", "a/", "./a",
                                "expect", "a b", "a\x01", std::string(300, 'n')});
    }
    if (Chance(8)) return ".";
    std::string path = Name();
    for (uint64_t depth = Below(5); depth > 0; --depth) path += "/" + Name();
    if (path == "expect") path += "_";
    return path;
  }
  std::optional<FdRef> At() {
    if (Chance(2)) return std::nullopt;
    return Fd();
  }

  Op MakeOp(int index) {
    Op op;
    // Every kind of the op table (scenario.h), so a new kind is picked too.
    op.kind = kAllOpKinds[Below(kNumOpKinds)];
    switch (op.kind) {
      case OpKind::kCreateRuleset:
        op.mem = Chance(3) ? RawMem() : UserMem::Of(RulesetAttr(Access(), Access(), Access()));
        op.size = Chance(2) ? op.mem.bytes.size() : Pick<uint64_t>({0, 8, 16, 24, 32, 4096, ~0ull});
        SetReadable(op.mem);
        op.flags = Chance(2) ? 0 : U32Flags();
        break;
      case OpKind::kAddRule:
        op.fd = Fd();
        op.rule_type = Chance(3) ? I32() : Pick<int32_t>({1, 2});
        switch (Below(3)) {
          case 0:
            op.mem = UserMem::Of(NetPortAttr(Access(), Pick<uint64_t>({0, 443, 65535, 65536, ~0ull, U64()})));
            break;
          case 1: {
            const FdRef parent = Fd();
            if (parent.kind == FdRef::Kind::kHandle) {
              op.mem = UserMem::Of(PathBeneathAttr(Access(), 0));
              op.parent_fd = parent;
            } else {
              op.mem = UserMem::Of(PathBeneathAttr(Access(), parent.value));
            }
            break;
          }
          default:
            op.mem = RawMem();
            if (Chance(3)) op.parent_fd = Fd();
            break;
        }
        SetReadable(op.mem);
        op.flags = U32Flags();
        break;
      case OpKind::kRestrictSelf:
        op.fd = Fd();
        op.flags = U32Flags();
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
        op.flags = Chance(2) ? Pick<uint32_t>({0, 10, 23, 65}) : static_cast<uint32_t>(I32());
        break;
      case OpKind::kSetown:
        op.fd = Fd();
        op.at = Fd();
        break;
      case OpKind::kSigwait:
        op.flags = Chance(2) ? Pick<uint32_t>({29, 10, 23, 0}) : static_cast<uint32_t>(I32());
        break;
      case OpKind::kAccept:
        op.fd = Fd();
        op.flags = Chance(2) ? Pick<uint32_t>({0, 04000, 02000000}) : U32Flags();
        break;
      case OpKind::kSocket:
        op.family = Chance(2) ? Pick<int32_t>({0, 1, 2, 10}) : I32();
        op.type = Chance(2) ? Pick<int32_t>({1, 2, 3, 5, 1 | 0x800, 2 | 0x80000, 0x80801})
                            : I32();
        op.protocol = Chance(2) ? Pick<int32_t>({0, 6, 17, 132, 136, 262}) : I32();
        break;
      case OpKind::kBind:
      case OpKind::kConnect:
      case OpKind::kSendTo:
        op.fd = Fd();
        op.mem = Address();
        op.addrlen = Chance(2) ? static_cast<int32_t>(op.mem.bytes.size()) : I32();
        SetReadable(op.mem);
        if (op.kind == OpKind::kSendTo) {
          op.flags = Pick<uint32_t>({0, 0x40, 0x20000000, 0x20000040, U32Flags()});
        }
        break;
      case OpKind::kFtruncate:
        op.fd = Fd();
        break;
      case OpKind::kIoctl:
        op.fd = Fd();
        op.flags = Chance(2) ? Pick<uint32_t>({fs::kFionread, fs::kFioclex, fs::kFsIocGetflags,
                                               fs::kFifreeze, fs::kFigetbsz})
                             : static_cast<uint32_t>(U64());
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
        op.at = At();
        if (TakesSecondPath(op.kind)) {
          op.path2 = Path();
          op.at2 = At();
        }
        if (op.kind == OpKind::kMknod) {
          const uint32_t type = Pick<uint32_t>({fs::kSIfreg, fs::kSIfdir, fs::kSIfifo,
                                                fs::kSIfsock, fs::kSIfchr, fs::kSIfblk, 0,
                                                0170000, 0x7fff0000});
          const uint32_t perm = Chance(2) ? fs::kDefaultPermissions
                                          : static_cast<uint32_t>(Below(010000));
          op.mode = Chance(10) ? static_cast<uint32_t>(U64()) : type | perm;
          op.dev = Pick<uint64_t>({0, fs::kNullDevice, fs::Makedev(static_cast<uint32_t>(U64()),
                                                                   static_cast<uint32_t>(U64())),
                                   U64()});
        }
        if (op.kind == OpKind::kOpen) {
          op.flags = Chance(2) ? Pick<uint32_t>({fs::kORdonly, fs::kOWronly | fs::kOCreat,
                                                 fs::kOPath, fs::kOPath | fs::kODirectory,
                                                 fs::kORdwr | fs::kOTrunc | fs::kOCloexec,
                                                 fs::kOAccmode | fs::kOExcl})
                               : U32Flags();
        }
        if (op.kind == OpKind::kRename) {
          op.flags = Chance(2) ? Pick<uint32_t>({0, 1, 2, 3, 4, 6}) : U32Flags();
        }
        break;
      }
    }
    if (ReturnsFd(op) && !Chance(4)) {
      op.name = Chance(2) ? "fd" + std::to_string(index)
                          : Pick<std::string>({"r", "sock", "_x", "Ruleset_9"}) + "_" +
                                std::to_string(index);
    }
    if (!Chance(3)) {
      switch (Below(3)) {
        case 0: op.expect = Outcome::Fd(); break;
        case 1:
          op.expect = Outcome::Errno(Chance(2) ? Pick<int>({1, 9, 13, 22, 42, 7, 97, 512, 4095})
                                               : static_cast<int>(Below(5000)) - 10);
          break;
        default:
          op.expect = Outcome::Value(Chance(2) ? static_cast<long>(Below(10))
                                               : static_cast<long>(U64()));
          break;
      }
    }
    if (Chance(6)) {
      // Behaviour-keyed expects (expect[...]), distinct condition lists.
      using Cmp = Op::ExpectCondition::Cmp;
      op.expect_overrides.push_back(
          {{{"sendmsg_fastopen_checked", Cmp::kEq, 0}}, Outcome::Value(0)});
      if (Chance(2)) {
        op.expect_overrides.push_back(
            {{{"abi_version", Cmp::kGe, 7}, {"tcp_check", Cmp::kEq, 1}}, Outcome::Errno(13)});
      }
      if (Chance(3)) {
        op.expect_overrides.push_back(
            {{{"family_mismatch_errno", Cmp::kNe, -97}}, Outcome::Fd()});
      }
    }
    if (o_.wild) {
      if (Chance(5)) op.name = Pick<std::string>({"my-fd", "expect", "", "dup", "9x", "fd0"});
      if (Chance(5)) op.family = I32();
      if (Chance(5)) op.addrlen = I32();
      if (Chance(8)) op.parent_fd = Fd();
      if (Chance(5)) op.line = static_cast<int>(Below(100));
      if (Chance(8)) op.path = Path();
      if (Chance(8)) op.path2 = Path();
      if (Chance(8)) op.at = Fd();
      if (Chance(8)) op.at2 = Fd();
      if (Chance(8)) op.mode = static_cast<uint32_t>(U64());
      if (Chance(8)) op.dev = U64();
    }
    return op;
  }

  std::mt19937_64& rng_;
  const RandomScenarioOptions& o_;
  std::vector<int> fd_ops_;
};

}  // namespace

Scenario RandomScenario(std::mt19937_64& rng, const RandomScenarioOptions& options) {
  return Gen(rng, options).Run();
}

}  // namespace lockstep
