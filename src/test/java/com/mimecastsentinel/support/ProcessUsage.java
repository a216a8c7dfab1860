package com.mimecastsentinel.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Peak resident set (VmHWM) and CPU time of a child process, read until it exits: how the benchmarks measure. */
public record ProcessUsage(long peakRssKb, long cpuMillis) {

    public static ProcessUsage untilExit(Process process) throws Exception {
        Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
        long peak = 0;
        long cpu = 0;
        while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
            cpu = Math.max(cpu, cpuMillis(process.toHandle()));
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (java.io.IOException gone) {
                // exited between the check and the read
            }
        }
        return new ProcessUsage(peak, cpu);
    }

    public static long cpuMillis(ProcessHandle process) {
        return process.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
    }
}
