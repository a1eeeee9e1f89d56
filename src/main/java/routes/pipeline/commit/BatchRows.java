package routes.pipeline.commit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import routes.pipeline.split.MetricRow;

/**
 * The rows of a batch as they are written: the last row of each key, in key order (the lock order), and
 * the rows that merely repeat an earlier row of the batch (an identity set, usually empty).
 */
record BatchRows(List<MetricRow> sorted, Set<MetricRow> repeats) {

    static BatchRows of(Collection<MetricRow> rows) {
        TreeMap<MetricRow.Key, MetricRow> byKey = new TreeMap<>();
        Map<MetricRow.Key, List<MetricRow>> repeatedKeys = null;
        Set<MetricRow> repeats = Set.of();
        for (MetricRow row : rows) {
            MetricRow.Key key = row.key();
            MetricRow earlier = byKey.put(key, row);
            if (earlier == null) {
                continue;
            }
            // Rare: a key twice in one batch. Remember which rows merely repeat an earlier one.
            if (repeatedKeys == null) {
                repeatedKeys = new HashMap<>();
                repeats = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            List<MetricRow> sameKey = repeatedKeys.computeIfAbsent(key, k -> new ArrayList<>(List.of(earlier)));
            if (sameKey.contains(row)) {
                repeats.add(row);
            } else {
                sameKey.add(row);
            }
        }
        return new BatchRows(new ArrayList<>(byKey.values()), repeats);
    }
}
