// The oracle's AF_UNIX sockets, written from unix(7) and Landlock's documentation of
// LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6): a sandboxed task whose domain scopes abstract UNIX
// sockets cannot connect to, or send a datagram to, an abstract socket made by a task outside
// its domain (a task without one, or of a domain that is not the task's own or nested in it).
// "Made by" is the socket's file: the credentials it was opened with, whichever task holds it
// now. A datagram socket already connected to its receiver may always send to it.
//
// What unix(7) says decides whether that rule is asked at all, in this order:
// - bind: an address of the family alone autobinds (a random abstract name: no scenario can name
//   it); else the address must be longer than the family and at most a sockaddr_un, of family
//   AF_UNIX (EINVAL); an abstract name (leading NUL byte, then every byte up to addrlen) is taken
//   by one socket of each type (EADDRINUSE); a bound socket is not bound again (EINVAL).
// - listen: stream and seqpacket sockets only (EOPNOTSUPP), bound (EINVAL), not connected
//   (EINVAL).
// - connect, stream or seqpacket: the address as for bind, a listening socket of the same type
//   by that name (ECONNREFUSED), a socket neither listening (EINVAL) nor connected (EISCONN);
//   then the scope.
// - connect, datagram: AF_UNSPEC (at least the family) disconnects; else a socket of the type by
//   that name (ECONNREFUSED) that is not connected to another (EPERM); then the scope. A new
//   peer replaces the old one.
// - accept (never waiting): stream and seqpacket listeners only (EOPNOTSUPP), listening
//   (EINVAL), a connection queued (EAGAIN); the oldest one becomes a socket of its own.
// - sendto, datagram: MSG_OOB is EOPNOTSUPP; a destination is checked as for connect, then a
//   pending ECONNRESET is returned once; then the named socket, or without a destination the
//   peer (ENOTCONN: none; a closed peer is forgotten, ECONNREFUSED), which must not be connected
//   to another (EPERM); then the scope. Stream and seqpacket sends meet no Landlock check (0).
// - A datagram socket that leaves its peer (connecting elsewhere, AF_UNSPEC, or learning that the
//   peer closed) drops its unread datagrams; if it had any and the old peer, still open, was
//   connected back to it, that peer's next send is ECONNRESET.
// After the scope: a datagram queue holds 11 datagrams (net.unix.max_dgram_qlen is 10, and the
// queue is full past it): a sender that is not the receiver's peer then gets EAGAIN (the sends
// never wait). Otherwise the result is 0: nothing reads or accepts.
//
// SIGIO (fcntl(2) F_SETOWN_EX, O_ASYNC; op setown): a socket's file owner gets SIGIO when a
// datagram reaches the socket, when a connection reaches it as a listener, when it learns that
// its peer dropped datagrams it had sent (the ECONNRESET above), when the listener holding its
// connection closes or the other end of its accepted connection does (a hang-up), and when
// urgent data reaches it. Urgent data (a stream send with MSG_OOB, one byte, no address, the
// connection accepted and neither end closed) gives its owner SIGURG first. Landlock's signal
// scope decides delivery by what it recorded at setown time: the setter's domain, when the
// owner was a task of another process.
//
// Named sockets: a pathname address (a first path byte that is not NUL) names a file of the
// scenario's tree from its root (the task's working directory), up to the first NUL. bind makes
// that file as mknod(2) would (Landlock's make_sock; an existing name is EADDRINUSE; a bound
// socket is EINVAL after that check); connect and send look the file up (its own errors), then
// ECONNREFUSED unless it is a socket file a socket is bound to, EPROTOTYPE for another type,
// then Landlock's LANDLOCK_ACCESS_FS_RESOLVE_UNIX (ABI 9): each layer that handles it lets the
// task through when the socket was made inside that layer's domain, or when a rule of the
// layer grants it on the file or a directory above; else EACCES, blamed on the youngest layer
// denying, logged as fs.resolve_unix with the file's path. The abstract scope does not apply to
// named sockets. A name outside the model's paths (docs/filesystem.md) is ENOENT.

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "model/fs_access.h"
#include "model/oracle_engine.h"

namespace lockstep {
namespace {

constexpr long kEinval = -EINVAL;
constexpr long kEperm = -EPERM;
constexpr long kEaddrinuse = -EADDRINUSE;
constexpr long kEconnrefused = -ECONNREFUSED;
constexpr long kEisconn = -EISCONN;
constexpr long kEnotconn = -ENOTCONN;
constexpr long kEopnotsupp = -EOPNOTSUPP;
constexpr long kEconnreset = -ECONNRESET;
constexpr long kEnoent = -ENOENT;
constexpr long kEprototype = -EPROTOTYPE;
constexpr long kEagain = -EAGAIN;

constexpr int kAfUnspec = 0;
constexpr int kAfUnix = 1;
constexpr int kSockStream = 1;
constexpr int kSockDgram = 2;
constexpr int kSockSeqpacket = 5;
constexpr int kFamilySize = 2;        // sun_family
constexpr int kSockaddrUnSize = 110;  // sun_family + sun_path[108]
constexpr uint32_t kMsgOob = 1;
constexpr uint64_t kScopeAbstractUnixSocket = 1u << 0;

int Family(const std::vector<uint8_t>& addr) { return addr[0] | (addr[1] << 8); }

// unix(7): an address holds more than the family, fits a sockaddr_un, and is AF_UNIX.
long CheckAddress(const std::vector<uint8_t>& addr, int addrlen) {
  if (addrlen <= kFamilySize || addrlen > kSockaddrUnSize) return kEinval;
  return Family(addr) == kAfUnix ? 0 : kEinval;
}

bool Abstract(const std::vector<uint8_t>& addr) { return addr[kFamilySize] == 0; }

constexpr int kMaxDgramQlen = 10;  // net.unix.max_dgram_qlen in a new network namespace

// A pathname address's file name: the path bytes up to the first NUL.
std::string PathnameOf(const std::vector<uint8_t>& addr, int addrlen) {
  std::string name;
  for (int i = kFamilySize; i < addrlen && addr[static_cast<size_t>(i)] != 0; ++i) {
    name += static_cast<char>(addr[static_cast<size_t>(i)]);
  }
  return name;
}

// Audit's name of an abstract socket: its path bytes, the leading NUL included, in hex.
std::string AbstractObject(const std::vector<uint8_t>& name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string text = "path=";
  for (size_t i = kFamilySize; i < name.size(); ++i) {
    text += kHex[name[i] >> 4];
    text += kHex[name[i] & 15];
  }
  return text;
}

}  // namespace

bool OracleEngine::DomainWithin(int domain, int ancestor) const {
  for (int d = domain; d > 0; d = domains_[static_cast<size_t>(d - 1)].parent) {
    if (d == ancestor) return true;
  }
  return false;
}

int OracleEngine::ScopingLayerOf(const std::vector<Layer>& layers, uint64_t scope,
                                 int target_domain) const {
  // Each layer that scopes asks whether the target is inside its domain (the target's domain
  // is it or nested in it); the denial is blamed on the youngest layer that scopes.
  bool scoped_out = false;
  int youngest = -1;
  for (size_t l = 0; l < layers.size(); ++l) {
    if ((layers[l].scoped & scope) == 0) continue;
    youngest = static_cast<int>(l);
    scoped_out = scoped_out || !DomainWithin(target_domain, layers[l].domain);
  }
  return scoped_out ? youngest : -1;
}

long OracleEngine::CheckResolveUnix(const Place& place, int server_domain) {
  const std::vector<int> walk = RuleWalk(place);
  for (size_t l = layers_.size(); l-- > 0;) {
    const Layer& layer = layers_[l];
    if ((CheckedBy(layer) & fs_access::kResolveUnix) == 0) continue;
    if (DomainWithin(server_domain, layer.domain)) continue;  // made inside this layer's domain
    if ((GrantedAlong(layer, walk) & fs_access::kResolveUnix) != 0) continue;
    bool quiet = false;
    for (int inode : walk) quiet = quiet || layer.quiet_inodes.count(inode) != 0;
    LogFsDenial(static_cast<int>(l), fs_access::kResolveUnix, quiet, PathObject(place));
    return -EACCES;
  }
  return 0;
}

long OracleEngine::FindUnix(const std::vector<uint8_t>& addr, int addrlen, int type) {
  if (Abstract(addr)) {
    const int other = FindAbstract(addr, addrlen, type);
    return other >= 0 ? other : kEconnrefused;
  }
  const std::string path = PathnameOf(addr, addrlen);
  if (!IsModelPath(path)) return kEnoent;
  Resolved r;
  if (long err = Resolve(kAtRoot, path, &r); err != 0) return err;
  if (!r.exists()) return kEnoent;
  const int inode = r.target.inode;
  if (inodes_[static_cast<size_t>(inode)].type != FileType::kSocket) return kEconnrefused;
  int other = -1;
  for (size_t i = 0; i < unix_sockets_.size() && other < 0; ++i) {
    if (!unix_sockets_[i].closed && unix_sockets_[i].inode == inode) other = static_cast<int>(i);
  }
  if (other < 0) return kEconnrefused;
  const UnixSocket& found = UnixAt(other);
  if (found.type != type) return kEprototype;
  if (long err = CheckResolveUnix(r.target, found.opener_domain); err != 0) return err;
  return other;
}

long OracleEngine::UnixBindPath(int s, const std::vector<uint8_t>& addr, int addrlen) {
  const std::string path = PathnameOf(addr, addrlen);
  if (!IsModelPath(path)) return kEnoent;
  Resolved r;
  if (long err = Resolve(kAtRoot, path, &r); err != 0) return err;
  if (r.is_dot || r.exists()) return kEaddrinuse;
  if (inodes_[static_cast<size_t>(r.parent.inode)].removed) return kEnoent;
  if (long err = CheckPath(r.parent, MakeRight(FileType::kSocket, 0)); err != 0) return err;
  // A bound socket: the file the kernel made goes again.
  if (UnixAt(s).bound) return kEinval;
  const int inode = NewInode(FileType::kSocket, r.parent.inode);
  inodes_[static_cast<size_t>(r.parent.inode)].children[r.name] = inode;
  UnixSocket& u = UnixAt(s);
  u.bound = true;
  u.findable = false;  // found through its file, not by name
  u.inode = inode;
  u.name.assign(addr.begin(), addr.begin() + kFamilySize);
  u.name.insert(u.name.end(), path.begin(), path.end());
  u.name.push_back(0);
  return 0;
}

int OracleEngine::FindAbstract(const std::vector<uint8_t>& addr, int addrlen, int type) const {
  for (size_t i = 0; i < unix_sockets_.size(); ++i) {
    const UnixSocket& u = unix_sockets_[i];
    if (u.closed || !u.bound || !u.findable || u.type != type) continue;
    if (u.name.size() == static_cast<size_t>(addrlen) &&
        std::equal(u.name.begin(), u.name.end(), addr.begin())) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

long OracleEngine::UnixScope(int s) {
  const UnixSocket& other = UnixAt(s);
  // Only an abstract socket is scoped: one bound to an abstract name, or autobound (to one). A
  // named socket's name was judged by RESOLVE_UNIX.
  if (!other.bound || other.inode >= 0) return 0;
  const int layer = ScopingLayer(kScopeAbstractUnixSocket, other.opener_domain);
  if (layer < 0) return 0;
  if (LogsDenials()) {
    const Layer& l = layers_[static_cast<size_t>(layer)];
    LogDenial(DomainNumbered(l.domain), l.same_exec, kScopeAbstractUnixSocket,
              /*object_quiet=*/true, l.quiet_scoped, "scope.abstract_unix_socket",
              AbstractObject(other.name));
  }
  return kEperm;
}

long OracleEngine::UnixBind(int s, const std::vector<uint8_t>& addr, int addrlen) {
  UnixSocket& u = UnixAt(s);
  if (addrlen == kFamilySize && Family(addr) == kAfUnix) {
    if (!u.bound) {  // autobind
      u.bound = true;
      u.findable = false;
    }
    return 0;
  }
  if (long err = CheckAddress(addr, addrlen); err != 0) return err;
  if (!Abstract(addr)) return UnixBindPath(s, addr, addrlen);
  if (u.bound) return kEinval;
  if (FindAbstract(addr, addrlen, u.type) >= 0) return kEaddrinuse;
  u.bound = true;
  u.findable = true;
  u.name.assign(addr.begin(), addr.begin() + addrlen);
  return 0;
}

long OracleEngine::UnixAccept(int s) {
  const UnixSocket& listener = UnixAt(s);
  if (listener.type != kSockStream && listener.type != kSockSeqpacket) return kEopnotsupp;
  if (!listener.listening) return kEinval;
  if (listener.backlog.empty()) return kEagain;
  // The oldest connection: its accepted end has the listener's name (found by nobody) and the
  // credentials of the file accept makes (the accepting task's); it and its client point at
  // each other, or it is shut down when the client closed first.
  const int client = listener.backlog.front();
  UnixSocket a;
  a.type = listener.type;
  a.bound = true;
  a.findable = false;
  a.name = listener.name;
  a.connected = true;
  a.stream_peer = client;
  a.opener_domain = YoungestDomain();
  UnixSocket& c = UnixAt(client);
  a.shut = c.closed;
  const int accepted = static_cast<int>(unix_sockets_.size());
  if (!c.closed) c.stream_peer = accepted;
  UnixAt(s).backlog.erase(UnixAt(s).backlog.begin());
  unix_sockets_.push_back(std::move(a));
  return accepted;
}

long OracleEngine::UnixListen(int s) {
  UnixSocket& u = UnixAt(s);
  if (u.type != kSockStream && u.type != kSockSeqpacket) return kEopnotsupp;
  if (!u.bound || u.connected) return kEinval;
  u.listening = true;
  return 0;
}

void OracleEngine::UnixClosed(int s) {
  // The name goes, and so does its peer (a peer pointing at it keeps pointing at a closed
  // socket). A stream connection's other end is shut down and hears the hang-up (news for its
  // owner). A listener's connections not accepted go with it: each client still open is shut
  // down and learns it the same way.
  UnixSocket& u = UnixAt(s);
  u.closed = true;
  u.file = nullptr;
  u.peer = -1;
  const int stream_peer = u.stream_peer;
  const std::vector<int> backlog = std::move(u.backlog);
  if (stream_peer >= 0 && !UnixAt(stream_peer).closed) {
    UnixAt(stream_peer).shut = true;
    RaiseSigio(stream_peer);
  }
  for (const int client : backlog) {
    UnixAt(client).shut = true;
    RaiseSigio(client);
  }
}

void OracleEngine::UnixDisconnected(int s, int old_peer) {
  UnixSocket& u = UnixAt(s);
  if (u.queued == 0) return;
  u.queued = 0;
  UnixSocket& old = UnixAt(old_peer);
  if (!old.closed && old.peer == s) {
    old.reset = true;
    RaiseSigio(old_peer);  // its error is news
  }
}

long OracleEngine::UnixConnect(int s, const std::vector<uint8_t>& addr, int addrlen) {
  const int type = UnixAt(s).type;
  if (type != kSockDgram) {
    if (long err = CheckAddress(addr, addrlen); err != 0) return err;
    const long found = FindUnix(addr, addrlen, type);
    if (found < 0) return found;
    const int other = static_cast<int>(found);
    if (!UnixAt(other).listening) return kEconnrefused;
    UnixSocket& u = UnixAt(s);
    if (u.connected) return kEisconn;
    if (u.listening) return kEinval;
    if (long err = UnixScope(other); err != 0) return err;
    u.connected = true;
    UnixAt(other).backlog.push_back(s);
    RaiseSigio(other);
    return 0;
  }
  if (addrlen < kFamilySize) return kEinval;
  int other = -1;
  if (Family(addr) != kAfUnspec) {
    if (long err = CheckAddress(addr, addrlen); err != 0) return err;
    const long found = FindUnix(addr, addrlen, type);
    if (found < 0) return found;
    other = static_cast<int>(found);
    const int others_peer = UnixAt(other).peer;
    if (others_peer >= 0 && others_peer != s) return kEperm;
    if (UnixAt(s).peer != other) {  // the peer it is connected to already is not asked about
      if (long err = UnixScope(other); err != 0) return err;
    }
  }
  const int old_peer = UnixAt(s).peer;
  UnixAt(s).peer = other;
  if (old_peer >= 0 && old_peer != other) UnixDisconnected(s, old_peer);
  return 0;
}

long OracleEngine::UnixSend(int s, const std::vector<uint8_t>& addr, int addrlen,
                            bool has_addr, uint32_t flags) {
  UnixSocket& u = UnixAt(s);
  if (u.type != kSockDgram) {
    // A stream socket's urgent byte (MSG_OOB) reaches the accepted other end of its
    // connection, open and not shut down, unless an address came with it: SIGURG for its
    // owner, then SIGIO as for any data. The send's own answer is not modelled.
    const bool named = has_addr && addrlen != 0;
    if (u.type == kSockStream && (flags & kMsgOob) != 0 && !named && !u.shut &&
        u.stream_peer >= 0 && !UnixAt(u.stream_peer).closed) {
      const int other = u.stream_peer;
      RaiseSigurg(other);
      RaiseSigio(other);
    }
    return 0;
  }
  if ((flags & kMsgOob) != 0) return kEopnotsupp;
  const bool named = has_addr && addrlen != 0;
  if (named) {
    if (long err = CheckAddress(addr, addrlen); err != 0) return err;
  }
  if (u.reset) {
    u.reset = false;
    return kEconnreset;
  }
  int other;
  if (named) {
    const long found = FindUnix(addr, addrlen, u.type);
    if (found < 0) return found;
    other = static_cast<int>(found);
  } else {
    other = u.peer;
    if (other < 0) return kEnotconn;
  }
  const int others_peer = UnixAt(other).peer;
  if (others_peer >= 0 && others_peer != s) return kEperm;
  if (UnixAt(other).closed) {
    u.peer = -1;
    UnixDisconnected(s, other);
    return kEconnrefused;
  }
  if (u.peer != other) {  // the socket's own peer is not asked about
    if (long err = UnixScope(other); err != 0) return err;
  }
  UnixSocket& receiver = UnixAt(other);
  if (other != s && receiver.peer != s && receiver.queued > kMaxDgramQlen) return kEagain;
  ++receiver.queued;
  RaiseSigio(other);
  return 0;
}

}  // namespace lockstep
