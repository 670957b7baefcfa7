#include "runtime/mgmt/reply_fifo.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "ser/log.hpp"

namespace ser::rt::mgmt {

namespace {

constexpr int kOpenRetries = 4;
constexpr auto kOpenRetryWait = std::chrono::milliseconds(80);

// The checks SER made against a reply file planted by someone else.
bool is_safe_fifo(int fd, const std::string& path) {
    struct stat fst {}, lst {};
    if (fstat(fd, &fst) != 0) {
        SER_ERR("fifo: reply fifo {}: fstat: {}", path, strerror(errno));
        return false;
    }
    if (!S_ISFIFO(fst.st_mode)) {
        SER_ERR("fifo: reply file {} is not a fifo", path);
        return false;
    }
    if (fst.st_nlink > 1) {
        SER_ERR("fifo: security: reply fifo {} is hard-linked {} times", path, unsigned(fst.st_nlink));
        return false;
    }
    if (lstat(path.c_str(), &lst) != 0) {
        SER_ERR("fifo: reply fifo {}: lstat: {}", path, strerror(errno));
        return false;
    }
    if (S_ISLNK(lst.st_mode)) {
        SER_ERR("fifo: security: reply fifo {} is a symbolic link", path);
        return false;
    }
    if (lst.st_dev != fst.st_dev || lst.st_ino != fst.st_ino) {
        SER_ERR("fifo: security: reply fifo {} was replaced while it was opened", path);
        return false;
    }
    return true;
}

}  // namespace

std::string reply_fifo_path(std::string_view fifo_dir, std::string_view name) {
    if (name.find_first_of("./\\") != std::string_view::npos) {
        SER_ERR("fifo: forbidden reply fifo name '{}'", name);
        return {};
    }
    std::string p(fifo_dir);
    p.append(name);
    return p;
}

bool write_reply_fifo(const std::string& path, std::string_view text, int write_timeout_ms) {
    int fd = -1;
    for (int tries = 0;; ++tries) {
        // O_NOFOLLOW: a symbolic link is refused before anything is opened.
        fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) break;
        if (errno == ENXIO && tries < kOpenRetries) {
            std::this_thread::sleep_for(kOpenRetryWait);
            continue;
        }
        if (errno == ENXIO) SER_ERR("fifo: no client reads the reply fifo {}", path);
        else if (errno == ELOOP) SER_ERR("fifo: security: reply fifo {} is a symbolic link", path);
        else SER_ERR("fifo: cannot open the reply fifo {}: {}", path, strerror(errno));
        return false;
    }
    if (!is_safe_fifo(fd, path)) {
        close(fd);
        return false;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(write_timeout_ms);
    size_t done = 0;
    bool ok = true;
    while (done < text.size()) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n > 0) {
            done += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{fd, POLLOUT, 0};
            if (left.count() > 0 && poll(&p, 1, int(left.count())) > 0 && !(p.revents & (POLLERR | POLLHUP))) continue;
            SER_ERR("fifo: the client of {} stopped reading; reply cut after {} of {} bytes", path, done, text.size());
        } else {
            SER_ERR("fifo: writing the reply fifo {}: {}", path, strerror(errno));
        }
        ok = false;
        break;
    }
    close(fd);
    return ok;
}

}  // namespace ser::rt::mgmt
