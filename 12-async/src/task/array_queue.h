// ArrayQueue<T, Capacity>: a bounded queue that never allocates and never locks (the C++
// counterpart of crossbeam's ArrayQueue, which the Rust series uses for scancodes and task ids).
//
// Why not a Spinlock around a ring buffer? An interrupt handler pushes into this queue. If the
// kernel held a lock on the queue when the interrupt came, the handler would spin forever on a
// lock that the code it interrupted can never release. The cure from stage 07 -- interrupts off
// while the lock is held -- would work, but a queue that needs no lock at all is simpler to use
// correctly: any context may push or pop at any time.
//
// The algorithm is Dmitry Vyukov's bounded multi-producer multi-consumer queue. Every cell
// carries a sequence number that says whose turn the cell is:
//
//   sequence == pos              the cell is free for the push that claims position pos
//   sequence == pos + 1          the cell holds the value pushed at pos, ready for that pop
//   sequence == pos + Capacity   the pop at pos is done: free for the push at pos + Capacity
//
// A push claims position `tail_` with a compare-exchange, writes the value, then publishes it by
// storing the new sequence (release); a pop claims `head_` the same way and reads the value after
// seeing the sequence (acquire). Positions only grow, so a cell's sequence names which round of
// the ring it belongs to and a slow party can never mistake an old round for a new one.
//
// What is guaranteed:
//   - Any number of producers and consumers, on any number of CPUs, in any mix of interrupt
//     handlers and normal code: each value pushed is popped exactly once, and values pushed by
//     one producer are popped in the order it pushed them.
//   - No operation waits for another. A compare-exchange is retried only when another party has
//     claimed the position first, i.e. made progress. In particular an interrupt handler never
//     spins on work that the code it interrupted left half done.
//   - The price of never waiting: while a push is half done (claimed, not yet published), pops
//     see the queue as empty up to that cell; while a pop is half done on a full ring, a push may
//     report "full" although the pop is about to free a cell. Both are momentary, and on one CPU
//     they can only be seen by an interrupt handler that interrupted the other operation.
//   - empty() and size() are snapshots: with other parties active they may be out of date by the
//     time the caller looks at them. (Executor::sleep_if_idle relies on empty() with interrupts
//     off, when no other party can run on this CPU.)
//   - Positions are 64-bit: after 2^64 operations they would wrap, which at a billion operations
//     per second takes 584 years.
//
// Only atomic load/store/compare_exchange on std::size_t are used (lock-free, asserted below:
// single instructions, no library calls). T must be trivially copyable: values are copied in and
// out as bytes, the queue never runs a constructor or destructor of T (nothing to do in an
// interrupt handler, and the queue can be `constinit` without T being default-constructible).
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace task {

template <typename T, std::size_t Capacity>
class ArrayQueue {
    static_assert(Capacity > 0, "a queue needs room for at least one value");
    static_assert(std::is_trivially_copyable_v<T>, "ArrayQueue copies values as bytes");
    static_assert(std::atomic<std::size_t>::is_always_lock_free);

public:
    static constexpr std::size_t CAPACITY = Capacity;

    constexpr ArrayQueue() noexcept : cells_(initial_cells(std::make_index_sequence<Capacity>{})) {}
    ArrayQueue(const ArrayQueue&) = delete;
    ArrayQueue& operator=(const ArrayQueue&) = delete;

    // Appends value; returns false (and keeps nothing) when the queue is full.
    [[nodiscard]] bool push(T value) noexcept {
        std::size_t pos = tail_.load(std::memory_order_relaxed);
        for (;;) {
            Cell& cell = cells_[pos % Capacity];
            const std::size_t sequence = cell.sequence.load(std::memory_order_acquire);
            const auto lag = static_cast<std::ptrdiff_t>(sequence - pos);
            if (lag == 0) {
                // The cell is free for position pos: try to claim pos. On failure `pos` is
                // reloaded with the position another producer left us.
                if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    cell.bytes = std::bit_cast<Bytes>(value);
                    cell.sequence.store(pos + 1, std::memory_order_release);  // publish
                    return true;
                }
            } else if (lag < 0) {
                // The cell still holds the value pushed one round ago: the ring is full.
                return false;
            } else {
                // Another producer claimed pos and moved on; start from the current tail.
                pos = tail_.load(std::memory_order_relaxed);
            }
        }
    }

    // Takes the oldest value, or nothing when the queue is empty.
    [[nodiscard]] std::optional<T> pop() noexcept {
        std::size_t pos = head_.load(std::memory_order_relaxed);
        for (;;) {
            Cell& cell = cells_[pos % Capacity];
            const std::size_t sequence = cell.sequence.load(std::memory_order_acquire);
            const auto lag = static_cast<std::ptrdiff_t>(sequence - (pos + 1));
            if (lag == 0) {
                if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    const T value = std::bit_cast<T>(cell.bytes);
                    // Free the cell for the push one round later.
                    cell.sequence.store(pos + Capacity, std::memory_order_release);
                    return value;
                }
            } else if (lag < 0) {
                // Nothing published at pos yet: empty (or a push is half done).
                return std::nullopt;
            } else {
                pos = head_.load(std::memory_order_relaxed);
            }
        }
    }

    // Snapshots; see the guarantees above.
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    [[nodiscard]] bool full() const noexcept { return size() == Capacity; }
    [[nodiscard]] std::size_t size() const noexcept {
        // head first: tail is read later, so it is at least as new, and tail >= head.
        const std::size_t head = head_.load(std::memory_order_acquire);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        const std::size_t claimed = tail - head;
        return claimed > Capacity ? Capacity : claimed;
    }

private:
    using Bytes = std::array<std::byte, sizeof(T)>;

    struct Cell {
        constexpr explicit Cell(std::size_t initial) noexcept : sequence(initial) {}
        std::atomic<std::size_t> sequence;
        Bytes bytes{};
    };

    // Cell i starts free for position i. Built element by element at compile time, because an
    // atomic cannot be copied into place and a loop of store() is not a constant expression.
    template <std::size_t... I>
    static constexpr std::array<Cell, Capacity> initial_cells(std::index_sequence<I...>) noexcept {
        return {{Cell{I}...}};
    }

    std::atomic<std::size_t> head_{0};  // next position to pop
    std::atomic<std::size_t> tail_{0};  // next position to push
    std::array<Cell, Capacity> cells_;
};

}  // namespace task
