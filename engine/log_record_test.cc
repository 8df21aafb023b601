// ParseAuditRecord: audit.c's record text into the normalized form engines compare.

#include "engine/log_record.h"

#include <map>

#include "gtest/gtest.h"

namespace lockstep {
namespace {

constexpr int kAccess = 1423;
constexpr int kDomain = 1424;
const std::map<uint64_t, int> kDomains = {{0x195ba459bull, 1}, {0x195ba45a0ull, 2}};

TEST(ParseAuditRecord, AccessRecordWithNetworkObject) {
  const LogRecord r =
      ParseAuditRecord(kAccess, "domain=195ba459b blockers=net.connect_tcp daddr=127.0.0.1 dest=80",
                       kDomains);
  EXPECT_EQ(r.type, LogRecord::Type::kAccess);
  EXPECT_EQ(r.domain, 1);
  EXPECT_EQ(r.blockers, "net.connect_tcp");
  EXPECT_EQ(r.object, "daddr=127.0.0.1 dest=80");
  EXPECT_EQ(r.ToString(), "access domain=1 blockers=net.connect_tcp daddr=127.0.0.1 dest=80");
}

TEST(ParseAuditRecord, AddressesAreCanonical) {
  // Any spelling inet_pton reads becomes inet_ntop's.
  EXPECT_EQ(ParseAuditRecord(kAccess, "domain=195ba45a0 blockers=net.bind_tcp saddr=2001:db8:0:0::1",
                             kDomains)
                .object,
            "saddr=2001:db8::1");
  EXPECT_EQ(ParseAuditRecord(kAccess, "domain=195ba45a0 blockers=net.bind_tcp saddr=::ffff:a00:2",
                             kDomains)
                .object,
            "saddr=::ffff:10.0.0.2");
  EXPECT_EQ(ParseAuditRecord(kAccess, "domain=195ba45a0 blockers=fs.make_reg,fs.refer lsm_data=fs",
                             kDomains)
                .blockers,
            "fs.make_reg,fs.refer");
}

TEST(ParseAuditRecord, DomainRecords) {
  const LogRecord a = ParseAuditRecord(
      kDomain,
      "domain=195ba45a0 status=allocated mode=enforcing pid=300 uid=0 exe=\"/root/x\" comm=\"x\"",
      kDomains);
  EXPECT_EQ(a.type, LogRecord::Type::kDomainAllocated);
  EXPECT_EQ(a.domain, 2);
  EXPECT_EQ(a.ToString(), "domain=2 allocated");
  const LogRecord d =
      ParseAuditRecord(kDomain, "domain=195ba459b status=deallocated denials=3", kDomains);
  EXPECT_EQ(d.type, LogRecord::Type::kDomainDeallocated);
  EXPECT_EQ(d.denials, 3u);
  EXPECT_EQ(d.ToString(), "domain=1 deallocated denials=3");
}

TEST(ParseAuditRecord, UnknownDomainIdIsMarked) {
  const LogRecord r = ParseAuditRecord(kAccess, "domain=1 blockers=net.bind_tcp", kDomains);
  EXPECT_EQ(r.type, LogRecord::Type::kAccess);
  EXPECT_EQ(r.domain, -1);
  EXPECT_EQ(r.ToString(), "access domain=? blockers=net.bind_tcp");
}

// A record the parser does not understand is never dropped: it comes back as kUnparsed, which
// Judge reports as an engine finding.
TEST(ParseAuditRecord, WhatItCannotReadIsUnparsed) {
  const struct {
    int type;
    const char* text;
    const char* why;
  } cases[] = {
      {kAccess, "", "no domain field"},
      {kAccess, "domain=xyz blockers=net.bind_tcp", "domain id not hex"},
      {kAccess, "domain=195ba459b", "access record without blockers"},
      {kAccess, "domain=195ba459b blockers=", "access record without blockers"},
      {kAccess, "domain=195ba459b blockers=net.bind_tcp saddr=1.2.3", "address not readable"},
      {kDomain, "domain=195ba459b", "domain record without status"},
      {kDomain, "domain=195ba459b status=allocated mode=permissive", "without mode=enforcing"},
      {kDomain, "domain=195ba459b status=deallocated", "without a denial count"},
      {kDomain, "domain=195ba459b status=deallocated denials=x", "without a denial count"},
      {kDomain, "domain=195ba459b status=gone", "unknown domain status"},
      {1400, "domain=195ba459b", "unknown record type 1400"},
  };
  for (const auto& c : cases) {
    const LogRecord r = ParseAuditRecord(c.type, c.text, kDomains);
    EXPECT_EQ(r.type, LogRecord::Type::kUnparsed) << c.text;
    EXPECT_NE(r.object.find(c.why), std::string::npos) << c.text << " -> " << r.object;
  }
}

TEST(LogRecordsText, NoneOrJoined) {
  EXPECT_EQ(LogRecordsText({}), "none");
  LogRecord a;
  a.type = LogRecord::Type::kDomainAllocated;
  a.domain = 1;
  EXPECT_EQ(LogRecordsText({a, a}), "domain=1 allocated; domain=1 allocated");
}

// The socket's own addresses (lsm_audit's laddr/lport/faddr/fport, which a live kernel writes
// for a bound or connected socket) are not part of the normalized object.
TEST(ParseAuditRecord, SocketOwnAddressesAreLeftOut) {
  EXPECT_EQ(ParseAuditRecord(kAccess,
                             "domain=195ba459b blockers=net.connect_tcp laddr=127.0.0.1 lport=5000 "
                             "daddr=127.0.0.1 dest=80",
                             kDomains)
                .object,
            "daddr=127.0.0.1 dest=80");
}

// Domain 0 is "not numbered" (the live kernel's, before all its ids are known): it matches any
// number, and only that.
TEST(RecordsMatch, UnnumberedDomainMatchesAnyNumber) {
  LogRecord a = ParseAuditRecord(kAccess, "domain=195ba459b blockers=fs.make_dir path=\"/a\"",
                                 kDomains);
  LogRecord b = a;
  b.domain = 0;
  EXPECT_TRUE(RecordsMatch(a, b));
  EXPECT_TRUE(RecordsMatch(b, a));
  EXPECT_EQ(b.ToString(), "access domain=* blockers=fs.make_dir path=\"/a\"");
  LogRecord c = a;
  c.domain = 2;
  EXPECT_FALSE(RecordsMatch(a, c));
  b.blockers = "fs.make_reg";
  EXPECT_FALSE(RecordsMatch(a, b));
}

TEST(AuditUntrustedString, QuotedOrHexAndBack) {
  EXPECT_EQ(AuditUntrustedString("/a/b"), "\"/a/b\"");
  EXPECT_EQ(AuditUntrustedString("/a b"), "2F612062");
  for (const std::string s : {"/a/b", "/a b", "/x (deleted)", "/"}) {
    std::string back;
    ASSERT_TRUE(ReadAuditUntrustedString(AuditUntrustedString(s), &back)) << s;
    EXPECT_EQ(back, s);
  }
  std::string out;
  EXPECT_FALSE(ReadAuditUntrustedString("2F6", &out));   // odd length
  EXPECT_FALSE(ReadAuditUntrustedString("2f61", &out));  // audit writes upper case
  EXPECT_FALSE(ReadAuditUntrustedString("", &out));
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

TEST(ParseAuditRecord, FilesystemObjectKeepsThePathNotTheInode) {
  const LogRecord r = ParseAuditRecord(
      1423, "domain=195ba459b blockers=fs.make_dir path=\"/a\" dev=\"tmpfs\" ino=12",
      {{0x195ba459bull, 1}});
  EXPECT_EQ(r.object, "path=\"/a\"");
  EXPECT_EQ(ParseAuditRecord(1423,
                             "domain=195ba459b blockers=fs.ioctl_dev path=\"/d\" dev=\"tmpfs\" "
                             "ino=3 ioctlcmd=0x5401",
                             {{0x195ba459bull, 1}})
                .object,
            "path=\"/d\" ioctlcmd=0x5401");
}

}  // namespace
}  // namespace lockstep
