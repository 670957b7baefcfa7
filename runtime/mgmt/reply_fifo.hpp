// Writing a reply into a client's reply FIFO (core-runtime §11.3).
#pragma once

#include <string>
#include <string_view>

namespace ser::rt::mgmt {

// fifo_dir + name, or "" (logged) when the name may leave fifo_dir: SER
// refused names containing '.', '/' or '\'.
std::string reply_fifo_path(std::string_view fifo_dir, std::string_view name);

// Opens `path` for writing without blocking (retrying 4 times, 80 ms apart,
// while nobody reads it), refuses anything but a FIFO with one link that is
// not a symbolic link and was not swapped between the checks, writes `text`
// and closes (the client sees EOF). A reader that stops reading is given
// `write_timeout_ms` in all, then dropped. False (logged) when not written.
bool write_reply_fifo(const std::string& path, std::string_view text, int write_timeout_ms);

}  // namespace ser::rt::mgmt
