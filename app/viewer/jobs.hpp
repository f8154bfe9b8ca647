#pragma once
// Background jobs (file loading, triangulation, exact KDE). Work runs on a std::jthread with a
// geo Progress wired to the job's stop token; the result is handed to a `finish` callback on
// the main thread by poll(), so GPU uploads and document edits stay on the frame's thread and
// the frame never blocks on a worker.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "nexusmap/progress.hpp"

namespace nexusmap::viewer {

class Job {
  public:
    enum class State { Running, Done, Failed, Cancelled };
    explicit Job(std::string label) : label_(std::move(label)) {}
    ~Job() {
        if (thread_.joinable()) {
            thread_.request_stop();
            thread_.join();
        }
    }

    const std::string& label() const { return label_; }
    State state() const { return state_.load(); }
    double fraction() const { return fraction_.load(); }
    std::string stage() const {
        std::lock_guard lk(m_);
        return stage_;
    }
    std::string error() const {
        std::lock_guard lk(m_);
        return error_;
    }
    void cancel() { thread_.request_stop(); }
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    }

  private:
    friend class Jobs;
    std::string label_;
    std::atomic<State> state_{State::Running};
    std::atomic<double> fraction_{0};
    mutable std::mutex m_;
    std::string stage_, error_;
    std::function<void()> finish_; // main thread, after Done
    bool finished_ = false;
    double ended_ = -1; // seconds() when it stopped running
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::jthread thread_;
};

class Jobs {
  public:
    // `work(Progress)` runs on a new thread and returns R (may throw; Cancelled when stopped);
    // `finish(R&&)` runs later on the main thread from poll().
    template <class R, class Work, class Finish> Job& start(std::string label, Work work, Finish finish) {
        auto job = std::make_unique<Job>(std::move(label));
        Job* j = job.get();
        auto result = std::make_shared<std::optional<R>>();
        j->finish_ = [result, finish = std::move(finish)]() mutable { finish(std::move(**result)); };
        j->thread_ = std::jthread([j, result, work = std::move(work)](std::stop_token st) mutable {
            Progress progress([j, st](double f, std::string_view stage) {
                j->fraction_.store(f);
                {
                    std::lock_guard lk(j->m_);
                    j->stage_.assign(stage);
                }
                return !st.stop_requested();
            });
            try {
                result->emplace(work(progress));
                j->state_.store(st.stop_requested() ? Job::State::Cancelled : Job::State::Done);
            } catch (const Cancelled&) {
                j->state_.store(Job::State::Cancelled);
            } catch (const std::bad_alloc&) { // "std::bad_alloc" alone says nothing (issue #19)
                std::lock_guard lk(j->m_);
                j->error_ = j->label_ + ": out of memory: the request is too large for this machine (use a coarser "
                                        "cell or a smaller extent)";
                j->state_.store(Job::State::Failed);
            } catch (const std::exception& e) {
                std::lock_guard lk(j->m_);
                j->error_ = e.what();
                j->state_.store(Job::State::Failed);
            }
        });
        jobs_.push_back(std::move(job));
        return *j;
    }

    // Main thread, once per frame: runs finish callbacks of completed jobs; keeps failed ones
    // (for the status line) and drops finished/cancelled ones after a few seconds.
    void poll() {
        for (auto& j : jobs_) {
            if (j->state() == Job::State::Done && !j->finished_) {
                j->finished_ = true;
                j->finish_();
                j->finish_ = nullptr;
                ++finish_count_;
                j->ended_ = j->seconds();
            } else if (j->state() != Job::State::Running && j->ended_ < 0) {
                j->ended_ = j->seconds();
            }
        }
        std::erase_if(jobs_, [](const std::unique_ptr<Job>& j) {
            return j->state() != Job::State::Running && j->state() != Job::State::Failed && j->ended_ >= 0 &&
                   j->seconds() - j->ended_ > 3.0;
        });
    }
    // Whether `j` is still one of this list's jobs (a dismissed job's pointer dangles).
    bool alive(const Job* j) const {
        return j && std::any_of(jobs_.begin(), jobs_.end(), [j](auto& p) { return p.get() == j; });
    }
    bool running(const Job* j) const { return alive(j) && j->state() == Job::State::Running; }
    bool busy() const {
        for (auto& j : jobs_)
            if (j->state() == Job::State::Running || (j->state() == Job::State::Done && !j->finished_))
                return true;
        return false;
    }
    const std::vector<std::unique_ptr<Job>>& all() const { return jobs_; }
    // How many finish callbacks poll() has run (a change means the document may have changed).
    uint64_t finished() const { return finish_count_; }
    void dismiss_failed() {
        std::erase_if(jobs_, [](const std::unique_ptr<Job>& j) { return j->state() == Job::State::Failed; });
    }
    void cancel_all() {
        for (auto& j : jobs_)
            j->cancel();
    }

  private:
    std::vector<std::unique_ptr<Job>> jobs_;
    uint64_t finish_count_ = 0;
};

} // namespace nexusmap::viewer
