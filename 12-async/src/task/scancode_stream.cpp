#include "task/scancode_stream.h"

#include "keyboard.h"  // the stage 07 decoder
#include "panic.h"
#include "task/console.h"

namespace task {

namespace {
constinit ScancodeQueue KERNEL_SCANCODE_QUEUE;
}  // namespace

ScancodeQueue& scancode_queue() noexcept { return KERNEL_SCANCODE_QUEUE; }

void add_scancode(std::uint8_t scancode) noexcept { KERNEL_SCANCODE_QUEUE.add(scancode); }

void ScancodeQueue::add(std::uint8_t scancode) noexcept {
    if (!scancodes_.push(scancode)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        println("WARNING: scancode queue full; dropping keyboard input");
        return;
    }
    waker_.wake();
}

ScancodeStream::ScancodeStream(ScancodeQueue& queue) : queue_(&queue) {
    if (queue.has_stream_.exchange(true, std::memory_order_acquire)) {
        panic("a ScancodeStream already reads this queue: only one may exist at a time");
    }
}

ScancodeStream::~ScancodeStream() {
    // The reader is gone: its waker must not be woken any more (its executor may be gone too).
    (void)queue_->waker_.take();
    queue_->has_stream_.store(false, std::memory_order_release);
}

std::optional<std::uint8_t> ScancodeStream::poll_next(Context& context) noexcept {
    // The fast path: a scancode is there, no need to touch the waker.
    if (const std::optional<std::uint8_t> scancode = queue_->scancodes_.pop()) return scancode;

    // Register first, look again second. A scancode that arrives after the register is followed
    // by a wake-up; one that arrived before it (just after the first look) is seen now. Looking
    // only before registering could miss a key and sleep until the next one.
    queue_->waker_.register_waker(context.waker());
    if (const std::optional<std::uint8_t> scancode = queue_->scancodes_.pop()) {
        // Not waiting after all: the registered waker is not needed.
        (void)queue_->waker_.take();
        return scancode;
    }
    return std::nullopt;
}

Task print_keypresses(ScancodeQueue& queue) {
    ScancodeStream scancodes{queue};
    keyboard::Keyboard keyboard;
    for (;;) {
        const std::uint8_t scancode = co_await scancodes.next();
        const std::optional<keyboard::KeyEvent> event = keyboard.add_byte(scancode);
        if (!event) continue;
        const std::optional<keyboard::DecodedKey> key = keyboard.process_keyevent(*event);
        if (!key) continue;
        if (key->kind == keyboard::DecodedKey::Kind::Unicode) print("{}", key->character);
        else print("{}", key->key);
    }
}

}  // namespace task

#if defined(UNIT_TESTS)
#include "task/executor.h"
#include "test_framework.h"

namespace task {

namespace {

Task collect(ScancodeQueue& queue, std::uint8_t* out, std::size_t count, std::size_t& received) {
    ScancodeStream stream{queue};
    while (received < count) out[received++] = co_await stream.next();
}

}  // namespace

// Scancodes added as IRQ1 adds them arrive in order through the stream.
KERNEL_TEST(test_scancode_stream_order) {
    ScancodeQueue queue;
    Executor executor;
    std::uint8_t received[4] = {};
    std::size_t count = 0;
    executor.spawn(collect(queue, received, 4, count));
    ASSERT_EQ(executor.run_until_idle(), 1u);  // waiting for keys
    queue.add(0x1e);
    queue.add(0x9e);
    ASSERT_EQ(executor.run_until_idle(), 1u);
    queue.add(0x30);
    queue.add(0xb0);
    ASSERT_EQ(executor.run_until_idle(), 0u);
    ASSERT_EQ(received[0], 0x1e);
    ASSERT_EQ(received[1], 0x9e);
    ASSERT_EQ(received[2], 0x30);
    ASSERT_EQ(received[3], 0xb0);
}

// The 101st scancode that nobody has read yet is dropped, with the warning on the console.
KERNEL_TEST(test_scancode_queue_overflow) {
    ScancodeQueue queue;
    for (int i = 0; i < 100; ++i) queue.add(static_cast<std::uint8_t>(i));
    ASSERT_EQ(queue.dropped(), 0u);
    queue.add(0xff);  // prints "WARNING: scancode queue full; dropping keyboard input"
    ASSERT_EQ(queue.dropped(), 1u);
}

}  // namespace task
#endif
