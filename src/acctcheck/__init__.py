"""acctcheck: validates internet account information under the CAC 互联网用户账号信息管理规定."""

__version__ = "0.1.0"
