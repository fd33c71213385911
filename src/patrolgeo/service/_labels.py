"""Words of the service: error codes, case states and actions, job states (zh, en).

The service answers with codes in its JSON (``"code": "bad_transition"``,
``"state": "dispatched"``) and the words beside them in the caller's language.
"""

from __future__ import annotations

from patrolgeo.labels import register

register("service_error", {
    "invalid": ("取值无效", "invalid value"),
    "missing": ("缺少必填项", "required value missing"),
    "not_found": ("对象不存在", "not found"),
    "unauthenticated": ("需要登录或 API 密钥", "login or API key required"),
    "bad_credentials": ("用户名或密码错误", "wrong username or password"),
    "token_expired": ("登录已过期，请重新登录", "token expired: log in again"),
    "bad_token": ("令牌无效", "invalid token"),
    "bad_api_key": ("API 密钥无效或已吊销", "API key invalid or revoked"),
    "forbidden": ("当前角色无权执行此操作", "your role may not do this"),
    "not_assignee": ("案件未派遣给您", "the case is not assigned to you"),
    "bad_transition": ("当前状态不允许此操作", "not allowed in the case's current state"),
    "unknown_service": ("未知的问题类别代码", "unknown service code"),
    "unknown_category": ("未知的问题大类或小类", "unknown category or kind"),
    "unknown_source": ("未知的来源渠道", "unknown source channel"),
    "unknown_role": ("未知的角色", "unknown role"),
    "out_of_range": ("坐标超出范围", "coordinate out of range"),
    "bad_time": ("无法解析的时间", "unparsable time"),
    "duplicate": ("已存在", "already exists"),
    "too_large": ("文件过大", "file too large"),
    "bad_type": ("不支持的文件类型", "unsupported file type"),
    "no_assignee": ("该路段没有负责的路长，请指定", "no chief answers for this segment: "
                    "name one"),
    "no_result": ("该片区尚无可用的计算结果", "the district has no result of that kind yet"),
    "job_busy": ("该片区已有任务在运行", "a job is already running for this district"),
    "bad_file": ("文件无法读取", "file cannot be read"),
})

register("case_state", {
    "reported": ("信息采集", "Reported"),
    "filed": ("已立案", "Filed"),
    "dispatched": ("已派遣", "Dispatched"),
    "handling": ("处置中", "Being handled"),
    "handled": ("已反馈待核查", "Handled, awaiting check"),
    "verified": ("已核查", "Verified"),
    "closed": ("已结案", "Closed"),
    "rejected": ("不予立案", "Not filed"),
    "deferred": ("缓办", "Deferred"),
})

register("case_action", {
    "report": ("上报", "report"),
    "file": ("立案", "file"),
    "reject": ("不予立案", "reject"),
    "dispatch": ("派遣", "dispatch"),
    "accept": ("签收处置", "accept"),
    "feedback": ("反馈处置结果", "report back"),
    "verify": ("核查通过", "verify"),
    "rework": ("核查不通过，返工", "send back for rework"),
    "close": ("结案", "close"),
    "reopen": ("重新立案", "reopen"),
    "defer": ("缓办", "defer"),
    "resume": ("恢复办理", "resume"),
})

register("job_status", {
    "queued": ("排队中", "queued"),
    "running": ("运行中", "running"),
    "done": ("已完成", "done"),
    "failed": ("失败", "failed"),
})

register("role", {
    "admin": ("系统管理员", "administrator"),
    "planner": ("规划员", "planner"),
    "dispatcher": ("派遣员", "dispatcher"),
    "chief": ("路长", "road chief"),
    "inspector": ("核查员", "inspector"),
    "viewer": ("查看者", "viewer"),
    "public": ("公众", "public"),
})
