#include "task/simple_executor.h"

#include "panic.h"
#include "task/waker.h"

#include <utility>

namespace task {

void SimpleExecutor::spawn(Task task) {
    if (!task) {
        panic("cannot spawn {}: out of memory for its {}-byte coroutine frame", task.id(),
              task.failed_frame_size());
    }
    task_queue_.push_back(std::move(task));
}

void SimpleExecutor::run() {
    while (task_queue_.size() != 0) {
        // One round: poll each task once, in order. Pending tasks move down over the finished
        // ones, keeping their order; what is left at the end (finished or moved-from) goes.
        // By index: a polled task may spawn, which appends and may move the Vec's storage.
        std::size_t kept = 0;
        for (std::size_t i = 0; i < task_queue_.size(); ++i) {
            Context context{Waker::noop(task_queue_[i].id())};
            ++polls_;
            if (task_queue_[i].poll(context) == Poll::Ready) continue;
            if (kept != i) task_queue_[kept] = std::move(task_queue_[i]);
            ++kept;
        }
        while (task_queue_.size() > kept) (void)task_queue_.pop_back();  // frees finished frames
    }
}

}  // namespace task
