//! Average-linkage clustering over a sparse affinity graph, with cannot-link
//! constraints.
//!
//! Each article starts as its own cluster; the two clusters with the highest
//! *average* affinity over all their member pairs (missing pairs count as 0)
//! merge, until no pair reaches the threshold. Average linkage does not chain
//! the way single linkage does: one article that mentions two events does not
//! glue their stories together. A constraint (dates too far apart) can veto a
//! merge; because clusters only grow, a vetoed pair stays vetoed until one of
//! them changes, and is then weighed again.
//!
//! Hand-written because the crates that offer hierarchical clustering
//! (`kodama`) take a dense condensed distance matrix, quadratic in the corpus;
//! here only pairs that share terms or passages are ever stored.

use std::collections::{BinaryHeap, HashMap};

/// Clusters `n` items from weighted pairs; returns the clusters as sorted member lists.
pub fn average_linkage(
    n: usize,
    pairs: &[(usize, usize, f32)],
    threshold: f32,
    can_merge: &dyn Fn(&[usize], &[usize]) -> bool,
) -> Vec<Vec<usize>> {
    average_linkage_sized(n, &[], pairs, threshold, can_merge)
}

/// [`average_linkage`] where item `i` stands for `sizes[i]` items (1 where
/// `sizes` is shorter) and a pair's weight is the sum over the items it
/// stands for: the average divides by the product of the clusters' sizes.
pub fn average_linkage_sized(
    n: usize,
    sizes: &[f32],
    pairs: &[(usize, usize, f32)],
    threshold: f32,
    can_merge: &dyn Fn(&[usize], &[usize]) -> bool,
) -> Vec<Vec<usize>> {
    let mut size: Vec<f32> = (0..n)
        .map(|i| sizes.get(i).copied().unwrap_or(1.0))
        .collect();
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut alive = vec![true; n];
    let mut version = vec![0u32; n];
    let mut sums: Vec<HashMap<usize, f32>> = vec![HashMap::new(); n];
    for &(a, b, w) in pairs {
        if a == b || a >= n || b >= n || w <= 0.0 {
            continue;
        }
        *sums[a].entry(b).or_insert(0.0) += w;
        *sums[b].entry(a).or_insert(0.0) += w;
    }
    // (average as ordered bits, a, b, version of a, version of b); averages are >= 0,
    // so the IEEE bit pattern orders like the value.
    let mut heap: BinaryHeap<(u32, usize, usize, u32, u32)> = BinaryHeap::new();
    for (a, m) in sums.iter().enumerate() {
        for (&b, &s) in m {
            if a < b {
                heap.push(((s / (size[a] * size[b])).to_bits(), a, b, 0, 0));
            }
        }
    }
    while let Some((bits, a, b, va, vb)) = heap.pop() {
        let avg = f32::from_bits(bits);
        if avg < threshold {
            break;
        }
        if !alive[a] || !alive[b] || version[a] != va || version[b] != vb {
            continue;
        }
        if !can_merge(&members[a], &members[b]) {
            continue;
        }
        // Merge b into a.
        let moved = std::mem::take(&mut members[b]);
        members[a].extend(moved);
        size[a] += size[b];
        alive[b] = false;
        version[a] += 1;
        let from_b = std::mem::take(&mut sums[b]);
        sums[a].remove(&b);
        for (c, s) in from_b {
            if c == a {
                continue;
            }
            *sums[a].entry(c).or_insert(0.0) += s;
            if let Some(m) = sums.get_mut(c) {
                let moved = m.remove(&b).unwrap_or(0.0);
                *m.entry(a).or_insert(0.0) += moved;
            }
        }
        let neighbours: Vec<(usize, f32)> = sums[a].iter().map(|(c, s)| (*c, *s)).collect();
        for (c, s) in neighbours {
            if !alive[c] {
                continue;
            }
            let avg = s / (size[a] * size[c]);
            let (x, y) = if a < c { (a, c) } else { (c, a) };
            heap.push((avg.to_bits(), x, y, version[x], version[y]));
        }
    }
    let mut out: Vec<Vec<usize>> = members
        .into_iter()
        .enumerate()
        .filter(|(i, _)| alive[*i])
        .map(|(_, mut m)| {
            m.sort_unstable();
            m
        })
        .collect();
    out.sort_unstable_by_key(|m| m[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_by_average_not_by_chain() {
        // 0-1 strong, 1-2 strong, 0-2 absent: average of {0,1} with 2 is (0.9 + 0)/2.
        let pairs = [(0, 1, 0.9), (1, 2, 0.8), (3, 4, 0.7)];
        let c = average_linkage(5, &pairs, 0.5, &|_, _| true);
        assert_eq!(c, vec![vec![0, 1], vec![2], vec![3, 4]]);
        let c = average_linkage(5, &pairs, 0.3, &|_, _| true);
        assert_eq!(c, vec![vec![0, 1, 2], vec![3, 4]]);
    }

    #[test]
    fn a_sized_item_weighs_as_the_items_it_stands_for() {
        // Item 0 stands for 10 items; item 1 is tied to it by 0.5 in total
        // (an average of 0.05), item 2 by 8.0 (0.8): only 2 joins.
        let pairs = [(0, 1, 0.5), (0, 2, 8.0)];
        let c = average_linkage_sized(3, &[10.0], &pairs, 0.25, &|_, _| true);
        assert_eq!(c, vec![vec![0, 2], vec![1]]);
        // Unsized, the same pairs would join both.
        assert_eq!(
            average_linkage(3, &pairs, 0.25, &|_, _| true),
            vec![vec![0, 1, 2]]
        );
    }

    #[test]
    fn constraints_veto_merges() {
        let pairs = [(0, 1, 0.9), (1, 2, 0.9), (0, 2, 0.9)];
        let c = average_linkage(3, &pairs, 0.5, &|a, b| {
            !(a.contains(&0) && b.contains(&2) || a.contains(&2) && b.contains(&0))
        });
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|m| !(m.contains(&0) && m.contains(&2))));
    }

    #[test]
    fn survives_out_of_range_pairs() {
        let c = average_linkage(2, &[(0, 7, 1.0), (1, 1, 1.0)], 0.1, &|_, _| true);
        assert_eq!(c, vec![vec![0], vec![1]]);
    }
}
