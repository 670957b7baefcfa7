// Which thread does what, for the management `ps` command: each thread that
// runs module code records its id under its rank when it starts.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

#include "runtime/mgmt/core_commands.hpp"

namespace ser::app {

class ThreadTable {
public:
    void describe(int rank, std::string text) {
        std::lock_guard lk(mu_);
        slot(rank).description = std::move(text);
    }
    // Called by the thread itself.
    void started(int rank) {
        std::lock_guard lk(mu_);
        slot(rank).tid = long(syscall(SYS_gettid));
    }
    std::vector<rt::mgmt::ProcessRow> rows() const {
        std::lock_guard lk(mu_);
        std::vector<rt::mgmt::ProcessRow> out;
        for (const auto& r : rows_)
            if (r.tid) out.push_back(r);
        return out;
    }

private:
    rt::mgmt::ProcessRow& slot(int rank) {
        while (int(rows_.size()) <= rank) rows_.push_back({int(rows_.size()), 0, ""});
        return rows_[size_t(rank)];
    }
    mutable std::mutex mu_;
    std::vector<rt::mgmt::ProcessRow> rows_;
};

}  // namespace ser::app
