"""Where cluster objects come from: a snapshot on disk, the embedded demo, or (later) a live API server.

Every source returns a :class:`~homelabctl.sources.base.ClusterState`; checks only ever see that.
"""

from homelabctl.sources.base import ClusterState, KindStatus, LoadError, Source, SourceInfo
from homelabctl.sources.index import ClusterIndex

__all__ = ["ClusterIndex", "ClusterState", "KindStatus", "LoadError", "Source", "SourceInfo"]
