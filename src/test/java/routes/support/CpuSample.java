package routes.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time used so far on this Linux machine, from /proc: by all PostgreSQL processes (the postmaster's
 * reaped children included, so backends that ended still count) and by the whole machine. Two samples
 * give the CPU seconds each used in between; a benchmark divides them by its own duration to print
 * cores used beside its rate. NaN where /proc is absent.
 */
public record CpuSample(double postgresSeconds, double processesSeconds, double busySeconds) {

    /** USER_HZ: the unit of the /proc tick counts (100 on Linux). */
    private static final double TICKS = 100.0;

    /** A sample; {@code pids}: processes whose CPU to add up too (e.g. the app instances). */
    public static CpuSample now(List<Long> pids) {
        return new CpuSample(postgres(), pids.stream().mapToLong(pid -> ticks(Path.of("/proc", pid.toString()), null))
                .sum() / TICKS, busy());
    }

    /** CPU seconds PostgreSQL used since {@code before}. */
    public double postgresSecondsSince(CpuSample before) {
        return postgresSeconds - before.postgresSeconds;
    }

    /** CPU seconds the processes given to {@link #now(List)} used since {@code before}. */
    public double processesSecondsSince(CpuSample before) {
        return processesSeconds - before.processesSeconds;
    }

    /** CPU seconds the whole machine was busy since {@code before} (everything, other users included). */
    public double busySecondsSince(CpuSample before) {
        return busySeconds - before.busySeconds;
    }

    /** Ids of the running processes with one of these names (e.g. the brokers: beam.smp, nats-server). */
    public static List<Long> pidsNamed(String... names) {
        List<String> wanted = List.of(names);
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return wanted.contains(Files.readString(p.resolve("comm")).trim());
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The 1-minute load average now. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double postgres() {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .mapToLong(p -> ticks(p, "postgres")).sum() / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** utime + stime + cutime + cstime of a process (named {@code name}, unless null); 0 for any other or one that ended. */
    private static long ticks(Path process, String name) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            int close = stat.lastIndexOf(')');
            if (name != null && !stat.substring(stat.indexOf('(') + 1, close).equals(name)) {
                return 0;
            }
            String[] fields = stat.substring(close + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                    + Long.parseLong(fields[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** All CPU time of /proc/stat's "cpu" line except idle and iowait. */
    private static double busy() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(cpu[i]);
                }
            }
            return busy / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
