package io.kerbgate.rollover;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The kvnos of one principal a node holds, each with its enctype numbers. */
public record HeldKeys(SortedMap<Integer, SortedSet<Integer>> enctypesByKvno) {

    public HeldKeys {
        TreeMap<Integer, SortedSet<Integer>> copy = new TreeMap<>();
        enctypesByKvno.forEach((kvno, enctypes) -> copy.put(kvno, Collections.unmodifiableSortedSet(new TreeSet<>(enctypes))));
        enctypesByKvno = Collections.unmodifiableSortedMap(copy);
    }

    public static HeldKeys of(Map<Integer, ? extends Set<Integer>> byKvno) {
        TreeMap<Integer, SortedSet<Integer>> map = new TreeMap<>();
        byKvno.forEach((kvno, enctypes) -> map.put(kvno, new TreeSet<>(enctypes)));
        return new HeldKeys(map);
    }

    public SortedSet<Integer> kvnos() {
        return new TreeSet<>(enctypesByKvno.keySet());
    }

    /** {@code 1,2} or {@code none}. */
    public String describe() {
        if (enctypesByKvno.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        for (Integer kvno : enctypesByKvno.keySet()) {
            out.append(out.length() == 0 ? "" : ",").append(kvno);
        }
        return out.toString();
    }
}
