import java.io.FileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Start-up profiler for bench/startup-sampler.sh: runs a launcher's main (-Dsampler.main) on the
 * main thread and samples that thread's Java stack about every millisecond from a daemon thread.
 * Unlike perf, it names interpreted frames, which is most of a short run. Every 20 samples it
 * rewrites -Dsampler.out with the sample count and per-method counts (S: top frame, I: anywhere
 * on the stack), since a user-mode emulator ends with Runtime.halt and no hook would run.
 */
public final class MainThreadSampler {
    public static void main(String[] args) throws Throwable {
        Thread main = Thread.currentThread();
        String out = System.getProperty("sampler.out");
        Thread sampler = new Thread(() -> sample(main, out), "main-thread-sampler");
        sampler.setDaemon(true);
        sampler.start();
        Class.forName(System.getProperty("sampler.main")).getMethod("main", String[].class).invoke(null, (Object) args);
    }

    private static void sample(Thread main, String out) {
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> anywhere = new HashMap<>();
        int samples = 0;
        try {
            while (true) {
                Thread.sleep(0, 500_000);
                StackTraceElement[] stack = main.getStackTrace();
                if (stack.length == 0) {
                    continue;
                }
                samples++;
                top.merge(name(stack[0]), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                for (StackTraceElement frame : stack) {
                    if (seen.add(name(frame))) {
                        anywhere.merge(name(frame), 1, Integer::sum);
                    }
                }
                if (samples % 20 == 0) {
                    write(out, samples, top, anywhere);
                }
            }
        } catch (InterruptedException | IOException e) {
            // the run is over or the file cannot be written: stop sampling
        }
    }

    private static String name(StackTraceElement frame) {
        return frame.getClassName() + "." + frame.getMethodName();
    }

    private static void write(String out, int samples, Map<String, Integer> top, Map<String, Integer> anywhere)
            throws IOException {
        try (PrintWriter w = new PrintWriter(new FileWriter(out))) {
            w.println("samples " + samples);
            top.forEach((k, v) -> w.println("S " + v + " " + k));
            anywhere.forEach((k, v) -> w.println("I " + v + " " + k));
        }
    }

    private MainThreadSampler() {
    }
}
