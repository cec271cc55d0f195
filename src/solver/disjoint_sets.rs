//! Disjoint sets (union-find): the independent components of an instance, the clusters of
//! centres linked by vacations.

/// Disjoint sets with path halving and union by size.
pub struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `a`'s set.
    pub fn find(&mut self, mut a: usize) -> usize {
        while self.parent[a] != a {
            self.parent[a] = self.parent[self.parent[a]];
            a = self.parent[a];
        }
        a
    }

    /// Joins the sets of `a` and `b`.
    pub fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }

    /// Joins every element of `items` to the first.
    pub fn union_all(&mut self, items: impl IntoIterator<Item = usize>) {
        let mut items = items.into_iter();
        if let Some(first) = items.next() {
            for x in items {
                self.union(first, x);
            }
        }
    }
}
