// Host tests of the executor's task table (src/task/task_map.h).

#include "task/task_map.h"
#include "task/task.h"
#include "task/wake_queue.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using task::Task;
using task::TaskId;
using task::TaskMap;

Task nothing() { co_return; }

std::vector<TaskId> ids_of(const TaskMap& map) {
    std::vector<TaskId> ids;
    map.for_each_id([&ids](TaskId id) { ids.push_back(id); });
    return ids;
}

TEST(TaskMap, FindsWhatWasInsertedInAnyOrder) {
    task::WakeQueue queue;
    TaskMap map;
    std::vector<Task> tasks;
    for (int i = 0; i < 50; ++i) tasks.push_back(nothing());
    std::vector<TaskId> ids;
    for (const Task& t : tasks) ids.push_back(t.id());
    // Insert back to front: every insert goes before all others.
    for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) {
        const TaskId id = it->id();
        ASSERT_TRUE(map.insert(std::move(*it), task::Waker{id, queue}));
    }
    EXPECT_EQ(map.size(), 50u);
    EXPECT_EQ(ids_of(map), ids);  // kept in id order
    for (const TaskId id : ids) {
        TaskMap::Entry* entry = map.find(id);
        ASSERT_NE(entry, nullptr);
        EXPECT_EQ(entry->id, id);
        EXPECT_EQ(entry->task.id(), id);
        EXPECT_EQ(entry->waker.id(), id);  // the cached waker wakes this very task
    }
}

TEST(TaskMap, EraseLeavesTheRestFindableAndFreesFrames) {
    test_support::CoroutineFrameAllocatorScope frames;
    task::WakeQueue queue;
    std::vector<TaskId> ids;
    {
        TaskMap map;
        for (int i = 0; i < 200; ++i) {
            Task t = nothing();
            const TaskId id = t.id();
            ids.push_back(id);
            ASSERT_TRUE(map.insert(std::move(t), task::Waker{id, queue}));
        }
        // Erase every task but each seventh, in an order that triggers several squeezes.
        std::vector<TaskId> kept;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (i % 7 == 0) kept.push_back(ids[i]);
            else map.erase(ids[i]);
        }
        EXPECT_EQ(map.size(), kept.size());
        EXPECT_EQ(frames.live(), kept.size());  // erased tasks' frames are freed at once
        EXPECT_EQ(ids_of(map), kept);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            EXPECT_EQ(map.find(ids[i]) != nullptr, i % 7 == 0) << i;
        }
        map.erase(ids[1]);  // erasing twice, or something never there, is harmless
        EXPECT_EQ(map.size(), kept.size());
    }
    EXPECT_EQ(frames.live(), 0u);
}

TEST(TaskMap, RefusesADuplicateId) {
    task::WakeQueue queue;
    TaskMap map;
    Task t = nothing();
    const TaskId id = t.id();
    ASSERT_TRUE(map.insert(std::move(t), task::Waker{id, queue}));
    // A second Task with the same id cannot be made by normal means (ids are unique and Task is
    // move-only): the moved-from shell carries the id, which is enough to test the check.
    EXPECT_FALSE(
        map.insert(std::move(t), task::Waker{id, queue}));  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(map.size(), 1u);
}

}  // namespace
