// TaskMap: the executor's tasks, found by TaskId (the Rust series' `BTreeMap<TaskId, Task>`,
// with its waker cache `BTreeMap<TaskId, Waker>` folded into the same entries).
//
// A Vec of entries sorted by id, searched by bisection. Ids come from a counter, so a task
// spawned right after it was made has the largest id yet and is simply appended. Removing a task
// leaves a tombstone (the entry keeps its id, its Task is empty) instead of shifting everything
// behind it; when tombstones outnumber the live tasks, one pass squeezes them out. Tasks often
// finish in the order they started, which would make shifting on every removal cost O(n).
//
// The waker cache: every entry keeps the task's Waker, made once at spawn. Rust caches wakers
// because making one allocates an Arc; ours is two words and would be cheap to make each time,
// but keeping it here keeps the Rust structure, and a future Waker with more state (a flag
// against queuing the same task twice, say) would have its home already.
//
// Entries move when the Vec grows or is squeezed: never keep an Entry* across an insert or erase.
#pragma once

#include "ktl/vec.h"
#include "task/task.h"
#include "task/task_id.h"
#include "task/waker.h"

#include <cstddef>
#include <utility>

namespace task {

class TaskMap {
public:
    struct Entry {
        TaskId id;
        Task task;  // empty: the task was removed (a tombstone)
        Waker waker;
    };

    // Adds `task` with its waker; false if a task with the same id is already there.
    [[nodiscard]] bool insert(Task task, const Waker& waker) {
        const TaskId id = task.id();
        const std::size_t at = lower_bound(id);
        // (A tombstone with this id counts too: an id is never used for two tasks.)
        if (at < entries_.size() && entries_[at].id == id) return false;
        entries_.push_back(Entry{id, std::move(task), waker});
        // Ids out of order (a task spawned long after it was made): bubble it into place.
        for (std::size_t i = entries_.size() - 1; i > at; --i)
            std::swap(entries_[i], entries_[i - 1]);
        ++live_;
        return true;
    }

    // The live task with this id, or nullptr.
    [[nodiscard]] Entry* find(TaskId id) noexcept {
        const std::size_t at = lower_bound(id);
        if (at == entries_.size() || entries_[at].id != id || !entries_[at].task) return nullptr;
        return &entries_[at];
    }

    // Removes (and destroys) the task with this id, if it is there.
    void erase(TaskId id) {
        Entry* entry = find(id);
        if (entry == nullptr) return;
        {
            const Task finished = std::move(entry->task);  // leaves the tombstone, frees the frame
        }
        --live_;
        ++dead_;
        if (dead_ > live_ && dead_ >= MIN_TOMBSTONES_TO_SQUEEZE) squeeze();
    }

    [[nodiscard]] std::size_t size() const noexcept { return live_; }

    // Calls f(id) for every live task, in id order. f must not insert or erase.
    template <typename F>
    void for_each_id(F&& f) const {
        for (const Entry& entry : entries_) {
            if (entry.task) f(entry.id);
        }
    }

private:
    // Below this, squeezing would run often for little gain.
    static constexpr std::size_t MIN_TOMBSTONES_TO_SQUEEZE = 16;

    // The first index whose id is not less than `id`.
    std::size_t lower_bound(TaskId id) const noexcept {
        std::size_t low = 0;
        std::size_t high = entries_.size();
        while (low < high) {
            const std::size_t middle = low + (high - low) / 2;
            if (entries_[middle].id < id) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    // Moves the live entries together, in order, and drops the tombstones at the end.
    void squeeze() {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            if (!entries_[i].task) continue;
            if (kept != i) entries_[kept] = std::move(entries_[i]);
            ++kept;
        }
        while (entries_.size() > kept) entries_.pop_back();
        dead_ = 0;
    }

    ktl::Vec<Entry> entries_;
    std::size_t live_ = 0;
    std::size_t dead_ = 0;
};

}  // namespace task
