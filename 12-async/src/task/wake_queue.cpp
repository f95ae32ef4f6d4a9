#include "task/wake_queue.h"

#include "task/console.h"

namespace task {

void WakeQueue::push(TaskId id) noexcept {
    if (ids_.push(id)) return;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    // exchange: of all the drops of one overflow, exactly one sees `false` and warns.
    if (!overflowed_.exchange(true, std::memory_order_acq_rel)) {
        println("WARNING: task queue full; dropping wake-up of {} (every task will be polled)", id);
    }
}

}  // namespace task
