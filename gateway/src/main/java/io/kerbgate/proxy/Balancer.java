package io.kerbgate.proxy;

import io.kerbgate.config.GatewayConfig.Balancing;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Picks the backend of a request among those a {@link HealthView} shows available. Lock-free and thread-safe: the only
 * shared write is one increment of a cursor per pick.
 *
 * <p>Both policies walk a weighted order of the backends built once with the smooth weighted round-robin of nginx
 * (weights 5, 1, 1 give a a b a c a a rather than a a a a a b c), so that a backend of weight 2 comes twice per cycle
 * and never twice in a row when it need not:
 * <ul>
 *   <li>{@link Balancing#ROUND_ROBIN}: the next available backend in that order;
 *   <li>{@link Balancing#LEAST_OUTSTANDING}: the backend with the fewest requests in flight per unit of weight; the
 *       scan starts at the next backend of the weighted order, which wins ties, so that an idle pool is served
 *       round-robin by weight and a loaded one by load.
 * </ul>
 */
final class Balancer {

    private final Balancing policy;
    private final List<Backend> backends;
    private final int[] order;
    private final AtomicInteger cursor = new AtomicInteger();

    Balancer(Balancing policy, List<Backend> backends) {
        this.policy = policy;
        this.backends = backends;
        this.order = weightedOrder(backends.stream().mapToInt(Backend::weight).toArray());
    }

    /**
     * @param exclude backends not to pick (those a retry moves away from), or null
     * @return the backend, or null when none is available
     */
    @Nullable Backend pick(HealthView view, long nanoTime, @Nullable BitSet exclude) {
        int position = Math.floorMod(cursor.getAndIncrement(), order.length);
        return policy == Balancing.ROUND_ROBIN
                ? nextAvailable(view, nanoTime, exclude, position)
                : leastOutstanding(view, nanoTime, exclude, order[position]);
    }

    /**
     * The backend at {@code position}, else the next available in the order. Each skip takes a position of its own,
     * so the share of an unavailable backend spreads over the others instead of doubling its successor's.
     */
    private @Nullable Backend nextAvailable(HealthView view, long nanoTime, @Nullable BitSet exclude, int position) {
        for (int k = 0; k < order.length; k++) {
            int i = order[k == 0 ? position : Math.floorMod(cursor.getAndIncrement(), order.length)];
            if ((exclude == null || !exclude.get(i)) && view.available(i, nanoTime)) {
                return backends.get(i);
            }
        }
        for (int i = 0; i < backends.size(); i++) {
            if ((exclude == null || !exclude.get(i)) && view.available(i, nanoTime)) {
                return backends.get(i);
            }
        }
        return null;
    }

    private @Nullable Backend leastOutstanding(HealthView view, long nanoTime, @Nullable BitSet exclude,
                                              int start) {
        Backend best = null;
        long bestLoad = 0;
        for (int k = 0; k < backends.size(); k++) {
            int i = (start + k) % backends.size();
            if ((exclude != null && exclude.get(i)) || !view.available(i, nanoTime)) {
                continue;
            }
            Backend candidate = backends.get(i);
            long load = candidate.outstanding();
            // load / weight < bestLoad / best.weight, without division.
            if (best == null || load * best.weight() < bestLoad * candidate.weight()) {
                best = candidate;
                bestLoad = load;
            }
        }
        return best;
    }

    /** Smooth weighted round-robin, unrolled over one cycle of {@code sum(weights)} picks. */
    static int[] weightedOrder(int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int[] order = new int[total];
        long[] current = new long[weights.length];
        for (int n = 0; n < total; n++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[n] = best;
        }
        return order;
    }
}
