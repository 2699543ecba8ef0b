//! Dependency order: the one place it is worked out.
//!
//! [`components`] gives the strongly connected components of a graph,
//! dependencies first (iterative Tarjan, so a plan of any depth cannot overflow
//! the stack). Evaluation orders a scenario's slots with it
//! (`eval::program`); unit inference orders the plan's items with it
//! ([`acyclic_order`], `infer::units`).

/// The strongly connected components of a graph of `n` nodes, dependencies
/// first: a component comes after every component it has an edge into.
/// `edge(v, k)` is the target of the `k`-th edge out of `v`, `None` past the
/// last one; targets at or past `n` are ignored. Within the graph's edge order
/// the result is fixed (deterministic). Linear in nodes and edges.
pub(crate) fn components(
    n: usize,
    edge: impl Fn(usize, usize) -> Option<usize>,
) -> Vec<Vec<usize>> {
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0usize;
    let mut comps: Vec<Vec<usize>> = Vec::new();
    for root in 0..n {
        if index.get(root) != Some(&usize::MAX) {
            continue;
        }
        // The explicit call stack: (node, next edge to follow).
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut ei)) = call.last_mut() {
            if *ei == 0 && index.get(v) == Some(&usize::MAX) {
                set(&mut index, v, next);
                set(&mut low, v, next);
                next += 1;
                stack.push(v);
                set(&mut on_stack, v, true);
            }
            if let Some(w) = edge(v, *ei) {
                *ei += 1;
                if w >= n {
                    continue;
                }
                if get(&index, w) == usize::MAX {
                    call.push((w, 0));
                } else if get(&on_stack, w) {
                    let lv = get(&low, v).min(get(&index, w));
                    set(&mut low, v, lv);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    let lp = get(&low, parent).min(get(&low, v));
                    set(&mut low, parent, lp);
                }
                if get(&low, v) == get(&index, v) {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        set(&mut on_stack, w, false);
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    comps.push(comp);
                }
            }
        }
    }
    comps
}

/// The nodes in an order where each comes after the nodes it depends on, for
/// every node neither on a cycle nor depending (directly or through others) on
/// one; then the rest in index order. An edge from a node to itself is not a
/// cycle here. `deps(v)` are the nodes `v` depends on (any order, repeats
/// allowed; targets at or past `n` are ignored).
pub(crate) fn acyclic_order<'a>(n: usize, deps: impl Fn(usize) -> &'a [usize]) -> Vec<usize> {
    let comps = components(n, |v, k| deps(v).get(k).copied());
    let mut blocked = vec![false; n];
    let mut order = Vec::with_capacity(n);
    // Components come dependencies first, so a node's dependencies are settled
    // (blocked or not) before the node itself.
    for comp in comps {
        let cyclic = comp.len() > 1;
        let downstream = comp
            .iter()
            .any(|&v| deps(v).iter().any(|&w| w != v && get(&blocked, w)));
        if cyclic || downstream {
            for &v in &comp {
                set(&mut blocked, v, true);
            }
        } else {
            order.extend(comp);
        }
    }
    order.extend((0..n).filter(|&v| get(&blocked, v)));
    order
}

fn get<T: Copy + Default>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

fn set<T>(v: &mut [T], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comps_of(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
        components(adj.len(), |v, k| adj.get(v).and_then(|e| e.get(k)).copied())
    }

    #[test]
    fn components_come_dependencies_first() {
        // 0 → 1 → 2 ⇄ 3, 4 alone.
        let adj = vec![vec![1], vec![2], vec![3], vec![2], vec![]];
        let mut comps = comps_of(&adj);
        for c in &mut comps {
            c.sort_unstable();
        }
        assert_eq!(comps, vec![vec![2, 3], vec![1], vec![0], vec![4]]);
    }

    #[test]
    fn a_deep_chain_does_not_overflow() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        let comps = comps_of(&adj);
        assert_eq!(comps.len(), n);
        assert_eq!(comps.first(), Some(&vec![n - 1]));
    }

    #[test]
    fn cycles_and_what_reads_them_come_last_in_index_order() {
        // 0 reads 4 (on the cycle 3 ⇄ 4), 1 reads itself, 2 reads 1,
        // 5 reads 0 (downstream of the cycle), 6 reads nothing.
        let deps = [
            vec![4],
            vec![1],
            vec![1, 1],
            vec![4],
            vec![3],
            vec![0],
            vec![],
        ];
        let order = acyclic_order(deps.len(), |v| deps.get(v).map_or(&[], Vec::as_slice));
        assert_eq!(order, vec![1, 2, 6, 0, 3, 4, 5]);
    }

    #[test]
    fn out_of_range_targets_are_ignored() {
        let deps = [vec![7], vec![0]];
        let order = acyclic_order(deps.len(), |v| deps.get(v).map_or(&[], Vec::as_slice));
        assert_eq!(order, vec![0, 1]);
    }
}
