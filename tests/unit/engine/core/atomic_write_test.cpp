#include "engine/core/atomic_write.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/core/error.hpp"

using namespace citytwin;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path dir = fs::temp_directory_path() / ("citytwin_atomic_" + std::to_string(getpid()));
  Folder() { fs::create_directories(dir); }
  ~Folder() { fs::remove_all(dir); }
  std::string read(const fs::path& p) const {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator())); }
};

/// The PID of a process that has exited (a child reaped at once).
pid_t dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(atomic_write, Folder)

BOOST_AUTO_TEST_CASE(a_file_is_replaced_whole_or_not_at_all) {
  const fs::path target = dir / "out.csv";
  write_file_atomically(target.string(), [](std::ostream& out) { out << "old\n"; });
  BOOST_TEST(read(target) == "old\n");
  // A writer that fails halfway leaves the old file and no temporary.
  BOOST_CHECK_THROW(write_file_atomically(target.string(), [](std::ostream& out) {
                      out << "half";
                      throw std::runtime_error("failed");
                    }),
                    std::runtime_error);
  BOOST_TEST(read(target) == "old\n");
  BOOST_TEST(entries() == 1u);
  BOOST_CHECK_THROW(write_file_atomically((dir / "no" / "such" / "x").string(), [](std::ostream&) {}), InputError);
  // A library writing by name sees the extension kept.
  std::string seen;
  write_named_file_atomically((dir / "pic.png").string(), [&](const std::string& tmp) {
    seen = tmp;
    std::ofstream(tmp) << "png";
    return true;
  });
  BOOST_TEST(fs::path(seen).extension() == ".png");
  BOOST_TEST(read(dir / "pic.png") == "png");
  BOOST_CHECK_THROW(write_named_file_atomically((dir / "bad.png").string(), [](const std::string&) { return false; }),
                    InputError);
  BOOST_TEST(!fs::exists(dir / "bad.png"));
}

BOOST_AUTO_TEST_CASE(a_folder_appears_only_when_committed) {
  const fs::path target = dir / "results";
  {
    AtomicFolder f(target);
    std::ofstream(f.path() / "a.txt") << "a";
    BOOST_TEST(!fs::exists(target));
  }  // not committed: gone
  BOOST_TEST(entries() == 0u);
  {
    AtomicFolder f(target);
    std::ofstream(f.path() / "a.txt") << "a";
    f.commit([](const fs::path&) { return true; });
  }
  BOOST_TEST(read(target / "a.txt") == "a");
  // Replacing: the new folder takes the old one's place whole, and the old one's files are gone.
  {
    AtomicFolder f(target);
    std::ofstream(f.path() / "b.txt") << "b";
    f.commit([](const fs::path&) { return true; });
  }
  BOOST_TEST(read(target / "b.txt") == "b");
  BOOST_TEST(!fs::exists(target / "a.txt"));
  // A folder that may not be replaced (not empty, refused) stays.
  fs::create_directories(dir / "precious");
  std::ofstream(dir / "precious" / "thesis.tex") << "x";
  AtomicFolder g(dir / "precious");
  fs::create_directories(g.path());
  BOOST_CHECK_THROW(g.commit([](const fs::path&) { return false; }), InputError);
  BOOST_TEST(fs::exists(dir / "precious" / "thesis.tex"));
}

// Temporaries of processes that no longer run are removed by the next writer into the folder; those of
// running processes (this one's, the parent's) and other files stay.
BOOST_AUTO_TEST_CASE(stale_temporaries_of_dead_processes_are_removed) {
  const std::string dead = std::to_string(dead_pid());
  fs::create_directories(dir / ("results.tmp-" + dead) / "timeseries");
  std::ofstream(dir / ("render.tmp-" + dead + ".png")) << "x";
  const fs::path alive = dir / ("other.tmp-" + std::to_string(getppid()));
  fs::create_directories(alive);
  std::ofstream(dir / "notes.txt") << "keep";
  write_file_atomically((dir / "new.csv").string(), [](std::ostream& out) { out << "1\n"; });
  BOOST_TEST(!fs::exists(dir / ("results.tmp-" + dead)));
  BOOST_TEST(!fs::exists(dir / ("render.tmp-" + dead + ".png")));
  BOOST_TEST(fs::exists(alive));
  BOOST_TEST(fs::exists(dir / "notes.txt"));
  BOOST_TEST(fs::exists(dir / "new.csv"));
}

BOOST_AUTO_TEST_SUITE_END()
