package org.qemu.common.jit;

import java.lang.reflect.Method;

/**
 * Run in a forked JVM by {@link HotSpotCompileRequestsTest}: asks for C1 then C2 code of a method
 * that is never called (so HotSpot's own policy would never compile it) and prints what the API
 * answered, one line each.
 */
public final class CompileRequestProbe {
    private CompileRequestProbe() {
    }

    /** Never called: only a request can get it compiled. */
    public static int neverCalled(int x) {
        int sum = 0;
        for (int i = 0; i < x; i++) {
            sum += i * x;
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("available " + HotSpotCompileRequests.available());
        if (!HotSpotCompileRequests.available()) {
            return;
        }
        Method target = CompileRequestProbe.class.getMethod("neverCalled", int.class);
        System.out.println("before " + HotSpotCompileRequests.level(target));
        for (int tier : new int[] {HotSpotCompileRequests.C1_FULL_OPTIMIZATION, HotSpotCompileRequests.C2}) {
            System.out.println("requested " + tier + " " + HotSpotCompileRequests.request(target, tier));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (HotSpotCompileRequests.level(target) != tier && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            System.out.println("level " + HotSpotCompileRequests.level(target));
        }
        // at that level already: nothing asked of the VM, nothing printed by it
        System.out.println("again " + HotSpotCompileRequests.request(target, HotSpotCompileRequests.C2));
    }
}
