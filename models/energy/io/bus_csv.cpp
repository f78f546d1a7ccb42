#include "models/energy/io/bus_csv.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "engine/core/error.hpp"
#include "engine/core/atomic_write.hpp"

namespace citytwin::energy {

void write_bus_csv(const std::string& path, const GridCase& grid, const PowerFlowResult& result) {
  write_file_atomically(path, [&](std::ostream& out) {
    out << "bus_id,vm_pu,va_deg\n";
    char buf[96];
    for (size_t i = 0; i < grid.buses.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%ld,%.12g,%.12g\n", grid.buses[i].id, result.vm_pu[i],
                    result.va_rad[i] * 180.0 / std::numbers::pi);
      out << buf;
    }
  });
}

}  // namespace citytwin::energy
