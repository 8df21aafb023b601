// OracleEngine: Landlock's semantics written plainly, as the documentation and DESIGN.md state
// them, parametrised by a revision Profile. It is the reference the kernel engine is diffed
// against, so it shares no code with the kernel: a ruleset is its handled masks plus a port →
// rights map, a domain is a list of layers, each a copy of a ruleset taken at restrict time.
//
// Around Landlock it models the same small task the kernel engine's shim models (kernel_shim/src
// task.c and socket.c): an fd table whose new fds are the lowest free number from 3 (at most
// 256), sockets with their family/type/protocol, user buffers readable up to a byte count, and
// the socket layer's own checks before the hooks.

#ifndef LOCKSTEP_MODEL_ORACLE_ENGINE_H_
#define LOCKSTEP_MODEL_ORACLE_ENGINE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/engine.h"
#include "model/profile.h"

namespace lockstep {

class OracleEngine : public Engine {
 public:
  explicit OracleEngine(Profile profile);
  ~OracleEngine() override;

  const Profile& profile() const { return profile_; }

  std::string Name() const override;
  void BeginTask(const TaskSpec& spec) override;
  std::vector<EngineFinding> EndTask() override;

  long CreateRuleset(UserBuffer attr, size_t size, uint32_t flags) override;
  long AddRule(int ruleset_fd, int rule_type, UserBuffer rule_attr, uint32_t flags) override;
  long RestrictSelf(int ruleset_fd, uint32_t flags) override;
  long SetNoNewPrivs() override;
  long Close(int fd) override;
  long Socket(int family, int type, int protocol) override;
  long Bind(int fd, UserBuffer addr, int addrlen) override;
  long Connect(int fd, UserBuffer addr, int addrlen) override;
  long SendTo(int fd, UserBuffer addr, int addrlen, uint32_t flags) override;

  // How many layers the task's domain has (0: not sandboxed). For tests.
  size_t NumLayers() const { return layers_.size(); }

 private:
  // A path_beneath rule. No fd of this model can name a directory yet, so none is ever added;
  // filesystem decisions come with the filesystem model.
  struct PathRule {
    uint64_t allowed_access = 0;
  };

  // What landlock_create_ruleset() makes and landlock_add_rule() extends.
  struct Ruleset {
    uint64_t handled_fs = 0;
    uint64_t handled_net = 0;
    uint64_t scoped = 0;
    absl::flat_hash_map<uint16_t, uint64_t> port_rights;  // port → granted net rights
    std::vector<PathRule> path_rules;
  };

  // One layer of a domain: a snapshot of a ruleset at restrict_self time.
  using Layer = Ruleset;

  struct Sock {
    int family = 0;
    int type = 0;      // without SOCK_NONBLOCK / SOCK_CLOEXEC
    int protocol = 0;  // as the family's create() settles it (0 → TCP/UDP)
  };

  // One open file: a ruleset or a socket. Rulesets are shared so a dup-like model stays easy.
  struct File {
    std::shared_ptr<Ruleset> ruleset;  // set for a ruleset fd
    bool is_socket = false;
    Sock sock;
  };

  static constexpr int kFirstFd = 3;
  static constexpr int kMaxFds = 256;

  // The lowest free fd (from 3), or -1 when the table is full.
  int LowestFreeFd() const;
  const File* Lookup(int fd) const;
  // The ruleset behind `fd`: -EBADF when no such fd, -EBADFD when not a ruleset.
  long GetRuleset(int fd, std::shared_ptr<Ruleset>* out) const;
  // move_addr_to_kernel(): 0 and the bytes, or -EINVAL / -EFAULT.
  static long CopySockaddr(UserBuffer addr, int addrlen, std::vector<uint8_t>* out);
  // Landlock's verdict on a bind (bind=true) or connect of `sock` to `addr`.
  long CheckSocket(const Sock& sock, const std::vector<uint8_t>& addr, int addrlen,
                   uint64_t request) const;
  void Reset();

  Profile profile_;
  bool no_new_privs_ = false;
  bool cap_sys_admin_ = false;
  std::vector<Layer> layers_;
  std::array<std::unique_ptr<File>, kMaxFds> fds_;
};

}  // namespace lockstep

#endif  // LOCKSTEP_MODEL_ORACLE_ENGINE_H_
