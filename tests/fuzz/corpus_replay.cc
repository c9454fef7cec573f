// Replays a fuzz target's corpus without libFuzzer (any compiler): every file
// of the directories on the command line goes once through
// LLVMFuzzerTestOneInput. Registered as a unit test, so the plain and the
// ASan/UBSan builds run the kept corpus (seeds and past crash or slow inputs)
// on every CI run; a crash or sanitizer report fails the test.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    std::filesystem::directory_iterator it(argv[i], ec);
    if (ec) {
      std::fprintf(stderr, "corpus_replay: cannot read %s: %s\n", argv[i], ec.message().c_str());
      return 2;
    }
    for (const auto& entry : it) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::fprintf(stderr, "corpus_replay: no input found\n");
    return 2;
  }
  std::printf("corpus_replay: %zu inputs, no crash\n", inputs);
  return 0;
}
