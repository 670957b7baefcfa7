// tm's metrics (ser/metrics.hpp): the transaction counts t_stats keeps are
// read at scrape time; retransmissions are counted where they happen.
#include <string>

#include "modules/tm/tm.hpp"
#include "ser/metrics.hpp"

namespace ser::mod::tm {

void Tm::register_metrics(Core& core) {
    using metrics::Sample;
    using metrics::Type;
    metrics::Registry& r = core.metrics();
    const Stats& st = stats_;
    r.collect(Type::Gauge, "ser_tm_transactions",
              "Transactions in the table: in_flight (no final reply yet or waiting for its ACK) and waiting "
              "(done, kept for retransmissions until the wait timer)",
              {"state"}, [&st](std::vector<Sample>& out) {
                  const long waiting = st.waiting.load(std::memory_order_relaxed);
                  out.push_back({{"in_flight"}, double(st.current.load(std::memory_order_relaxed) - waiting)});
                  out.push_back({{"waiting"}, double(waiting)});
              });
    r.collect(Type::Counter, "ser_tm_transactions_created_total",
              "Transactions created: for requests received, or local ones (t_uac)", {"origin"},
              [&st](std::vector<Sample>& out) {
                  const long local = st.local.load(std::memory_order_relaxed);
                  out.push_back({{"received"}, double(st.total.load(std::memory_order_relaxed) - local)});
                  out.push_back({{"local"}, double(local)});
              });
    r.collect(Type::Counter, "ser_tm_local_replies_total", "Final replies tm made itself (t_reply, 408, 487, errors)",
              [&st] { return double(st.replied_locally.load(std::memory_order_relaxed)); });
    r.collect(Type::Counter, "ser_tm_completed_total", "Transactions completed, by the status class of the final reply",
              {"class"}, [&st](std::vector<Sample>& out) {
                  for (size_t c = 2; c <= 6; ++c)
                      out.push_back({{std::to_string(c) + "xx"}, double(st.completed[c].load(std::memory_order_relaxed))});
              });
    const char* help = "Retransmissions sent by tm's timers: requests (Timer A/E), replies (Timer G), CANCELs";
    retr_request_ = r.counter("ser_tm_retransmissions_total", help, {"kind"}, {"request"});
    retr_reply_ = r.counter("ser_tm_retransmissions_total", help, {"kind"}, {"reply"});
    retr_cancel_ = r.counter("ser_tm_retransmissions_total", help, {"kind"}, {"cancel"});
    absorbed_ = r.counter("ser_tm_absorbed_retransmissions_total",
                          "Request retransmissions received and absorbed by a transaction");
}

}  // namespace ser::mod::tm
