// Proves @googletest//:gtest_main links GoogleTest and GoogleMock together.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(GtestSmokeTest, MatchersWork) {
  EXPECT_THAT(std::vector<int>({1, 2, 3}), ElementsAre(1, 2, 3));
  EXPECT_THAT(std::string("lockstep"), HasSubstr("step"));
}

}  // namespace
