// The keyboard as an async stream of scancodes (the Rust series' task/keyboard.rs; the name
// keyboard.h stays with the stage 07 decoder, src/keyboard.h, which this code uses).
//
// The IRQ1 handler reads a scancode from the PS/2 controller and calls add_scancode, which puts
// it into a bounded queue and wakes the task reading the keys. That task, print_keypresses,
// awaits the scancodes one by one through a ScancodeStream, decodes them with the stage 07
// decoder and prints the keys. The interrupt handler does as little as possible and nothing that
// could block or allocate; the decoding and printing happen in a task, with interrupts on.
//
//     IRQ1 -> add_scancode -> ScancodeQueue { scancodes, waker } -> ScancodeStream -> task
#pragma once

#include "task/array_queue.h"
#include "task/atomic_waker.h"
#include "task/task.h"
#include "task/waker.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace task {

inline constexpr std::size_t SCANCODE_QUEUE_CAPACITY = 100;

// Scancodes on their way from the interrupt handler to the task, and the waker of the task that
// waits for them. The kernel has one (scancode_queue()); tests make their own.
class ScancodeQueue {
public:
    constexpr ScancodeQueue() noexcept = default;
    ScancodeQueue(const ScancodeQueue&) = delete;
    ScancodeQueue& operator=(const ScancodeQueue&) = delete;

    // Queues a scancode and wakes the reader. Interrupt-safe: never blocks, never allocates.
    // On a full queue the scancode is dropped with the warning
    // "WARNING: scancode queue full; dropping keyboard input".
    void add(std::uint8_t scancode) noexcept;

    // Scancodes dropped because the queue was full.
    [[nodiscard]] std::uint64_t dropped() const noexcept {
        return dropped_.load(std::memory_order_relaxed);
    }

private:
    friend class ScancodeStream;

    ArrayQueue<std::uint8_t, SCANCODE_QUEUE_CAPACITY> scancodes_;
    AtomicWaker waker_;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<bool> has_stream_{false};
};

// The kernel's queue, fed by IRQ1.
[[nodiscard]] ScancodeQueue& scancode_queue() noexcept;

// Called by the keyboard interrupt handler with the byte it read from port 0x60.
// Interrupt-safe: never blocks, never allocates; a scancode that does not fit is dropped with
// a warning.
void add_scancode(std::uint8_t scancode) noexcept;

// The reading end of a ScancodeQueue: `co_await stream.next()` gives the next scancode, and
// waits (the task is Pending, the CPU may halt) while there is none.
//
// One stream per queue at a time: the queue keeps one waker, for one waiting task. Making a
// second stream while the first exists panics (the Rust series' "ScancodeStream::new should
// only be called once").
class ScancodeStream {
public:
    explicit ScancodeStream(ScancodeQueue& queue = scancode_queue());
    ScancodeStream(const ScancodeStream&) = delete;
    ScancodeStream& operator=(const ScancodeStream&) = delete;
    ~ScancodeStream();

    // Rust's Stream::poll_next. The stream never ends, so a ready poll always has a scancode.
    [[nodiscard]] std::optional<std::uint8_t> poll_next(Context& context) noexcept;

    // The leaf future of `co_await stream.next()` (Rust's StreamExt::next).
    class Next {
    public:
        explicit Next(ScancodeStream& stream) noexcept : stream_(&stream) {}
        std::optional<std::uint8_t> poll(Context& context) noexcept {
            return stream_->poll_next(context);
        }

    private:
        ScancodeStream* stream_;
    };
    [[nodiscard]] Next next() noexcept { return Next{*this}; }

private:
    ScancodeQueue* queue_;
};

// The task that types: prints each key decoded from `queue` (characters as they are, other keys
// by name) through task::print. Never finishes.
Task print_keypresses(ScancodeQueue& queue = scancode_queue());

}  // namespace task
