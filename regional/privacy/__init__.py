"""The region's privacy rules: the minimum group size k (the region's setting, with its floor)
and the primitives that every published count of people goes through (``api``)."""
