#include "bench/machine.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/file_util.h"
#include "common/strings.h"

namespace gale::bench {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\n");
  size_t e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return Trim(line.substr(line.find(':') + 1));
  }
  return "unknown";
}

// "vda (virtio, rotational=0) ext4" for the filesystem holding `dir`.
std::string Disk(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return "unknown";
  const std::string dev = StrCat(major(st.st_dev), ":", minor(st.st_dev));
  std::string fs = "?", source = "?";
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string id, parent, majmin, root, point, rest;
    fields >> id >> parent >> majmin >> root >> point;
    if (majmin != dev) continue;
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    tail >> fs >> source;
    break;
  }
  std::string block = source.substr(source.rfind('/') + 1);
  std::string rotational =
      Trim(common::ReadFileToString(StrCat("/sys/class/block/", block, "/queue/rotational"))
               .value_or("?"));
  std::string model = Trim(
      common::ReadFileToString(StrCat("/sys/class/block/", block, "/device/model")).value_or(""));
  return StrCat(source, model.empty() ? "" : " " + model, " (rotational=", rotational, ") ", fs);
}

}  // namespace

nlohmann::json MachineFacts::ToJson() const {
  return {{"cores", cores},
          {"cpu_model", cpu_model},
          {"kernel", kernel},
          {"memory_bytes", memory_bytes},
          {"disk", disk}};
}

std::string MachineFacts::ToString() const {
  return StrCat(cores, " cores (", cpu_model, "), ", memory_bytes >> 30, " GiB RAM, Linux ", kernel,
                ", disk ", disk);
}

MachineFacts ReadMachineFacts(const std::string& work_dir) {
  MachineFacts facts;
  facts.cores = static_cast<int>(std::thread::hardware_concurrency());
  facts.cpu_model = CpuModel();
  struct utsname name {};
  if (::uname(&name) == 0) facts.kernel = name.release;
  facts.memory_bytes = static_cast<int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  facts.disk = Disk(work_dir);
  return facts;
}

}  // namespace gale::bench
