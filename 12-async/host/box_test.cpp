// Host tests of ktl::Box (src/ktl/box.h). On the host the heap is glibc's; AddressSanitizer
// reports any leak, double delete or mismatched delete.

#include "ktl/box.h"

#include "tracked.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace {

TEST(Box, HoldsAValue) {
    ktl::Box<int> box = ktl::make_box<int>(41);
    ASSERT_TRUE(box);
    *box += 1;
    EXPECT_EQ(*box, 42);
}

TEST(Box, DestroysItsObjectOnce) {
    test::Counters counters;
    {
        auto box = ktl::make_box<test::Tracked>(counters, 7);
        EXPECT_EQ(box->value(), 7);
        EXPECT_EQ(counters.alive(), 1);
    }
    EXPECT_EQ(counters.constructed, 1);
    EXPECT_EQ(counters.destroyed, 1);
}

TEST(Box, MovingTransfersOwnership) {
    test::Counters counters;
    auto a = ktl::make_box<test::Tracked>(counters, 1);
    test::Tracked* object = a.get();
    ktl::Box<test::Tracked> b = std::move(a);
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): a moved-from Box is documented empty
    EXPECT_EQ(b.get(), object);
    EXPECT_EQ(counters.constructed, 1);  // the object itself did not move

    auto c = ktl::make_box<test::Tracked>(counters, 2);
    c = std::move(b);  // c's old object is destroyed, b's object moves in
    EXPECT_EQ(counters.destroyed, 1);
    EXPECT_EQ(c->value(), 1);
}

TEST(Box, SelfMoveAssignmentKeepsTheObject) {
    auto box = ktl::make_box<int>(5);
    auto& alias = box;
    box = std::move(alias);
    EXPECT_EQ(*box, 5);
}

TEST(Box, ReleaseAndFromRaw) {
    auto box = ktl::make_box<int>(3);
    int* raw = box.release();
    EXPECT_FALSE(box);
    auto again = ktl::Box<int>::from_raw(raw);
    EXPECT_EQ(*again, 3);
}

struct Base {
    virtual ~Base() { ++destroyed; }
    virtual int id() const { return 0; }
    static inline int destroyed = 0;
};
struct Derived final : Base {
    explicit Derived(int* flag) : flag(flag) {}
    ~Derived() override { *flag = 1; }
    int id() const override { return 1; }
    int* flag;
};

TEST(Box, DerivedConvertsToBaseAndIsDestroyedAsDerived) {
    int derived_destroyed = 0;
    Base::destroyed = 0;
    {
        ktl::Box<Base> base = ktl::make_box<Derived>(&derived_destroyed);
        EXPECT_EQ(base->id(), 1);
    }
    EXPECT_EQ(derived_destroyed, 1);
    EXPECT_EQ(Base::destroyed, 1);
}

TEST(BoxDeathTest, UsingAnEmptyBoxPanics) {
    ktl::Box<int> empty;
    EXPECT_DEATH((void)*empty, "used an empty Box");
}

}  // namespace
