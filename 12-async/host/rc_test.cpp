// Host tests of ktl::Rc (src/ktl/rc.h): the counts the stage-10 kernel prints (2, then 1) and
// destruction when the last reference goes.

#include "ktl/rc.h"
#include "ktl/vec.h"

#include "tracked.h"

#include <gtest/gtest.h>

#include <utility>

namespace {

TEST(Rc, CountsTwoThenOneThenDestroys) {
    test::Counters counters;
    {
        ktl::Rc<test::Tracked> a = ktl::make_rc<test::Tracked>(counters, 42);
        EXPECT_EQ(a.use_count(), 1u);
        {
            ktl::Rc<test::Tracked> b = a;  // a copy shares the object
            EXPECT_EQ(a.use_count(), 2u);
            EXPECT_EQ(b.use_count(), 2u);
            EXPECT_EQ(b.get(), a.get());
            EXPECT_EQ(b->value(), 42);
        }
        EXPECT_EQ(a.use_count(), 1u);
        EXPECT_EQ(counters.destroyed, 0);
    }
    EXPECT_EQ(counters.constructed, 1);
    EXPECT_EQ(counters.destroyed, 1);
}

TEST(Rc, HoldsAVecLikeTheKernelDemo) {
    ktl::Rc<ktl::Vec<int>> numbers = ktl::make_rc<ktl::Vec<int>>(ktl::Vec<int>{1, 2, 3});
    ktl::Rc<ktl::Vec<int>> cloned = numbers;
    EXPECT_EQ(cloned.use_count(), 2u);
    numbers = ktl::Rc<ktl::Vec<int>>();  // drop one reference
    EXPECT_EQ(cloned.use_count(), 1u);
    EXPECT_EQ((*cloned)[2], 3);
}

TEST(Rc, MoveDoesNotChangeTheCount) {
    auto a = ktl::make_rc<int>(1);
    auto b = std::move(a);
    EXPECT_EQ(a.use_count(), 0u);  // NOLINT(bugprone-use-after-move): documented empty
    EXPECT_FALSE(a);
    EXPECT_EQ(b.use_count(), 1u);
}

TEST(Rc, AssignmentReleasesTheOldObject) {
    test::Counters counters;
    auto a = ktl::make_rc<test::Tracked>(counters, 1);
    auto b = ktl::make_rc<test::Tracked>(counters, 2);
    a = b;
    EXPECT_EQ(counters.destroyed, 1);  // a's first object had no other owner
    EXPECT_EQ(a->value(), 2);
    EXPECT_EQ(b.use_count(), 2u);
    a = std::move(b);
    EXPECT_EQ(a.use_count(), 1u);
}

TEST(Rc, SelfAssignmentKeepsTheObject) {
    test::Counters counters;
    auto a = ktl::make_rc<test::Tracked>(counters, 1);
    auto& alias = a;
    a = alias;
    EXPECT_EQ(a.use_count(), 1u);
    a = std::move(alias);
    EXPECT_EQ(a.use_count(), 1u);
    EXPECT_EQ(counters.destroyed, 0);
}

TEST(Rc, ChangesAreSeenThroughEveryCopy) {
    auto a = ktl::make_rc<int>(1);
    auto b = a;
    *b = 5;
    EXPECT_EQ(*a, 5);
}

TEST(RcDeathTest, UsingAnEmptyRcPanics) {
    ktl::Rc<int> empty;
    EXPECT_DEATH((void)*empty, "used an empty Rc");
}

}  // namespace
