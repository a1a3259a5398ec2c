package io.holdout.checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the engines' kernel choice depends on: the CPU model, its vector-instruction flags, cache
 * sizes, core count and the environment variables that cap or steer the kernels (oneDNN's ISA cap,
 * TensorFlow's oneDNN switch, OpenMP threads). Read from {@code /proc/cpuinfo} and {@code /sys};
 * elsewhere the fields say {@code unknown}.
 *
 * @param cpu the CPU model name, with vendor, family, model and stepping where reported
 * @param isa the vector-instruction flags the CPU reports, among those engines select kernels by
 * @param caches cache sizes of the first CPU by level and type, e.g. {@code L2 -> 1024K}
 * @param cores processors available to the JVM
 * @param env the kernel-steering environment variables that are set
 */
public record Hardware(String cpu, List<String> isa, Map<String, String> caches, int cores, Map<String, String> env) {
  /** Instruction-set flags oneDNN, Eigen and MLAS dispatch on (x86 and ARM names). */
  static final List<String> ISA_FLAGS = List.of("sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni",
      "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
      "amx_tile", "amx_bf16", "amx_int8", "asimd", "asimddp", "sve", "sve2", "bf16", "i8mm");

  /** The /proc/cpuinfo keys that identify a CPU beyond its marketing name (kernels differ by them). */
  static final List<String> ID_KEYS = List.of("vendor_id", "cpu family", "model", "stepping");

  /** Environment variables that change which kernels the engines run. */
  static final List<String> ENV = List.of("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "ONEDNN_DEFAULT_FPMATH_MODE",
      "TF_ENABLE_ONEDNN_OPTS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS");

  public Hardware {
    isa = List.copyOf(isa);
    caches = Collections.unmodifiableMap(new LinkedHashMap<>(caches)); // keeps L1d, L1i, L2, L3
    env = Map.copyOf(env);
  }

  /** The machine this JVM runs on. */
  public static Hardware detect() {
    String cpu = "unknown (" + System.getProperty("os.arch") + ")";
    Set<String> flags = new LinkedHashSet<>();
    Map<String, String> ids = new LinkedHashMap<>();
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (cpu.startsWith("unknown") && (key.equals("model name") || key.equals("Model name"))) {
        cpu = value;
      } else if (ids.size() < 4 && ID_KEYS.contains(key) && !ids.containsKey(key)) {
        ids.put(key, value);
      } else if (flags.isEmpty() && (key.equals("flags") || key.equals("Features"))) {
        flags.addAll(List.of(value.split("\\s+")));
      }
    }
    if (!ids.isEmpty()) {
      StringBuilder id = new StringBuilder();
      for (String k : ID_KEYS) {
        if (ids.containsKey(k)) {
          id.append(id.length() == 0 ? "" : " ").append(k.equals("vendor_id") ? "" : k.replace("cpu ", "") + " ")
              .append(ids.get(k));
        }
      }
      cpu += " (" + id + ")";
    }
    List<String> isa = new ArrayList<>();
    for (String f : ISA_FLAGS) {
      if (flags.contains(f)) {
        isa.add(f);
      }
    }
    Map<String, String> caches = new LinkedHashMap<>();
    Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().startsWith("index")).sorted().forEach(p -> {
          String level = first(p.resolve("level"));
          String type = first(p.resolve("type"));
          String size = first(p.resolve("size"));
          if (level != null && size != null) {
            String suffix = "Data".equals(type) ? "d" : "Instruction".equals(type) ? "i" : "";
            caches.put("L" + level + suffix, size);
          }
        });
      } catch (IOException e) {
        // caches stay unknown
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String v : ENV) {
      String value = System.getenv(v);
      if (value != null) {
        env.put(v, value);
      }
    }
    return new Hardware(cpu, isa, caches, Runtime.getRuntime().availableProcessors(), env);
  }

  /** Lines naming the CPU, flags, caches, cores and kernel settings. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add("cpu      " + cpu + ", " + cores + " cores available");
    out.add("isa      " + (isa.isEmpty() ? "unknown" : String.join(" ", isa)));
    StringBuilder c = new StringBuilder();
    caches.forEach((k, v) -> c.append(c.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
    out.add("caches   " + (c.length() == 0 ? "unknown" : c.toString()));
    StringBuilder e = new StringBuilder();
    for (String v : ENV) {
      if (env.containsKey(v)) {
        e.append(e.length() == 0 ? "" : ", ").append(v).append('=').append(env.get(v));
      }
    }
    out.add("kernels  " + (e.length() == 0 ? "engine defaults (no ONEDNN_MAX_CPU_ISA, TF_ENABLE_ONEDNN_OPTS or "
        + "OMP_NUM_THREADS set)" : e.toString()));
    return out;
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static String first(Path p) {
    List<String> l = lines(p);
    return l.isEmpty() ? null : l.get(0).trim();
  }
}
