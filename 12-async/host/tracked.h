// A test type that counts its constructions and destructions, to check that the ktl containers
// destroy every object exactly once.
#pragma once

#include <cstdint>

namespace test {

struct Counters {
    int constructed = 0;
    int destroyed = 0;
    int alive() const { return constructed - destroyed; }
};

class Tracked {
public:
    Tracked(Counters& counters, int value) : counters_(&counters), value_(value) {
        ++counters_->constructed;
    }
    Tracked(const Tracked& other) : counters_(other.counters_), value_(other.value_) {
        ++counters_->constructed;
    }
    Tracked(Tracked&& other) noexcept : counters_(other.counters_), value_(other.value_) {
        ++counters_->constructed;
        other.value_ = -1;  // moved-from
    }
    Tracked& operator=(const Tracked&) = default;
    Tracked& operator=(Tracked&&) = default;
    ~Tracked() { ++counters_->destroyed; }

    int value() const { return value_; }

private:
    Counters* counters_;
    int value_;
};

}  // namespace test
