"""The classroom's own words, in Chinese and English.

Words the classroom shares with the browser view (the paths, the measures,
the presets, the event log) come from :mod:`villagesim.i18n`; the pages get
both tables in one dictionary from :func:`page_words`. Refusals are keys of
``REFUSALS``, so a session rule never holds a sentence in one language.

Examples
--------
>>> say("wrong_code", "zh", code="ABCDE")
'没有找到加入码为 ABCDE 的课堂，请核对投影上的加入码。'
>>> say("over_budget", "en", cost=12.5, remaining=10.0)
'This plan costs 12.5 万元 but only 10 万元 is left. Lower an intensity or start a path later.'
"""

from __future__ import annotations

from villagesim.i18n import TEXT

REFUSALS: dict[str, dict[str, str]] = {
    "en": {
        "wrong_code": "No session has the join code {code}. Check the code on the screen.",
        "bad_code": "A join code is {length} letters or digits, as on the screen.",
        "finished": "This session has finished; it no longer takes teams or plans.",
        "started": "This session is past its first round; ask the trainer to start a new one to join.",
        "full": "This session already has {most} teams, the most it takes.",
        "name_empty": "Give your team a name.",
        "name_long": "A team name is at most {most} characters.",
        "name_bad": "A team name cannot hold control characters.",
        "name_taken": "Another team is already called “{name}”. Choose another name.",
        "token": "This page's team key does not belong to that team. Open the page your team joined on.",
        "trainer_token": "This console's trainer key is missing or wrong. Open the link shown when the session started.",
        "plan_path": "Unknown path {path}; the paths are {paths}.",
        "plan_intensity": "{path}: the intensity must be a number from 0 to 1, got {value}.",
        "plan_start": "{path}: the start must be a month of the round from 1 to {most}, got {value}.",
        "over_budget": "This plan costs {cost:g} 万元 but only {remaining:g} 万元 is left. "
                       "Lower an intensity or start a path later.",
        "too_few": "At least {least} teams must join before the first round can run ({teams} so far).",
        "not_all": "{waiting} team(s) have not submitted yet; press again to run the round anyway.",
        "setting": "{name}: must be {allowed}, got {value}.",
        "scenario": "Scenario: {reason}",
        "scenario_local": "A scenario file can only be given on the server's own computer; choose a preset.",
        "sessions": "{most} sessions are running already; finish one before starting another.",
        "slow_down": "Too many requests; wait {seconds} s and try again.",
        "too_large": "The request is too large.",
        "bad_request": "The request could not be read.",
        "no_session": "No such session.",
    },
    "zh": {
        "wrong_code": "没有找到加入码为 {code} 的课堂，请核对投影上的加入码。",
        "bad_code": "加入码是 {length} 位字母或数字，以投影上显示的为准。",
        "finished": "本次课堂已经结束，不再接受加入或提交方案。",
        "started": "本次课堂已过第一轮，无法再加入；请培训老师另开一场。",
        "full": "本次课堂已有 {most} 个小组，已达上限。",
        "name_empty": "请填写小组名称。",
        "name_long": "小组名称最多 {most} 个字。",
        "name_bad": "小组名称不能包含控制字符。",
        "name_taken": "已有小组叫“{name}”，请换一个名称。",
        "token": "本页面的小组密钥与该小组不符，请使用本组加入时的页面。",
        "trainer_token": "控制台的培训老师密钥缺失或不正确，请使用开课时显示的链接。",
        "plan_path": "没有“{path}”这条路径；可选路径：{paths}。",
        "plan_intensity": "{path}：力度须是 0 到 1 之间的数，当前为 {value}。",
        "plan_start": "{path}：起始月须是本轮的第 1 到第 {most} 个月，当前为 {value}。",
        "over_budget": "该方案需要 {cost:g} 万元，但只剩 {remaining:g} 万元。请降低力度或推迟起始月。",
        "too_few": "至少 {least} 个小组加入后才能开始第一轮（目前 {teams} 个）。",
        "not_all": "还有 {waiting} 个小组未提交；再按一次将直接运行本轮。",
        "setting": "{name}：须为 {allowed}，当前为 {value}。",
        "scenario": "情景：{reason}",
        "scenario_local": "只能在服务器本机上指定情景文件；请选择预设村庄。",
        "sessions": "已有 {most} 场课堂在进行，请先结束一场再开新的。",
        "slow_down": "请求过于频繁，请 {seconds} 秒后再试。",
        "too_large": "请求内容过大。",
        "bad_request": "无法读取该请求。",
        "no_session": "没有这场课堂。",
    },
}

PAGE: dict[str, dict[str, str]] = {
    "en": {
        "classroom": "Classroom",
        "start_title": "Start a classroom session",
        "start_hint": "Every setting has a default: one click starts a session.",
        "scenario_file": "or a scenario file on this computer (path to a .toml)",
        "budget": "Budget per team (万元, whole session)",
        "rounds": "Rounds",
        "round_months": "Months per round",
        "language": "Language",
        "objective": "Rank teams by",
        "start_session": "Start session",
        "join_title": "Join a session",
        "join_code": "Join code",
        "team_name": "Team name",
        "join": "Join",
        "join_at": "Join at",
        "or_scan": "or scan:",
        "teams": "Teams",
        "submitted": "submitted",
        "waiting": "thinking",
        "no_teams": "No team has joined yet.",
        "advance": "Run round {r}",
        "advance_force": "Run round {r} now",
        "round_of": "Round {r} of {n}",
        "months_of": "months {a}–{b}",
        "finished": "Session finished",
        "ranking": "Ranking after round {r}",
        "rank": "#",
        "team": "Team",
        "spent": "Spent (万元)",
        "vs_baseline": "vs. no action",
        "all_curves": "All teams, with the village doing nothing (grey)",
        "baseline": "No action",
        "notable": "What happened",
        "debrief": "Debrief",
        "plans_by_round": "Each team's plans, round by round",
        "per_wan": "What each path bought per 万元",
        "per_wan_hint": "Each team's village re-run on the same seeds without that path: "
                        "the difference in {metric} at the end, per 万元 the path cost.",
        "path": "Path",
        "teams_used": "Teams",
        "spent_total": "Spent (万元)",
        "gain_total": "Difference",
        "per_wan_col": "per 万元",
        "computing": "Computing the debrief…",
        "best_plan": "Best plan for the same budget",
        "no_planner": "The planner (villagesim plan) is not installed in this version.",
        "export": "Export the session",
        "projector": "Projector view",
        "console": "Trainer's console",
        "console_link": "Keep this link to reopen the console:",
        "your_team": "Team “{name}”",
        "budget_left": "Budget left: {left:g} of {total:g} 万元",
        "your_plan": "Your plan for round {r} (months {a}–{b})",
        "intensity": "Intensity",
        "start_month": "From month",
        "plan_cost": "This plan costs {cost:g} 万元",
        "submit": "Submit plan",
        "resubmit": "Change and submit again",
        "sent": "Plan submitted. Waiting for the trainer to run the round…",
        "your_village": "Your village",
        "events": "Events",
        "no_events": "Nothing notable yet.",
        "spending": "Spending",
        "spent_so_far": "{spent:g} 万元 spent so far",
        "lobby": "Waiting for the trainer…",
        "none": "nothing",
        "month_short": "m{m}",
        "connection_lost": "Connection lost; retrying…",
        "other_lang": "中文",
        "team_event": "{team}: {line}",
        "the_end": "The session has finished. Look at the screen for the debrief.",
    },
    "zh": {
        "classroom": "课堂模式",
        "start_title": "开始一场课堂演练",
        "start_hint": "所有设置都有默认值，点一下即可开始。",
        "scenario_file": "或本机上的情景文件（.toml 路径）",
        "budget": "每组预算（万元，整场）",
        "rounds": "轮数",
        "round_months": "每轮月数",
        "language": "语言",
        "objective": "排名依据",
        "start_session": "开始课堂",
        "join_title": "加入课堂",
        "join_code": "加入码",
        "team_name": "小组名称",
        "join": "加入",
        "join_at": "加入网址",
        "or_scan": "或扫码：",
        "teams": "小组",
        "submitted": "已提交",
        "waiting": "思考中",
        "no_teams": "还没有小组加入。",
        "advance": "运行第 {r} 轮",
        "advance_force": "立即运行第 {r} 轮",
        "round_of": "第 {r} 轮 / 共 {n} 轮",
        "months_of": "第 {a}–{b} 月",
        "finished": "课堂已结束",
        "ranking": "第 {r} 轮后的排名",
        "rank": "名次",
        "team": "小组",
        "spent": "已投入（万元）",
        "vs_baseline": "比不作为",
        "all_curves": "各组曲线（灰色：什么都不做的同一村庄）",
        "baseline": "不作为",
        "notable": "大事记",
        "debrief": "复盘",
        "plans_by_round": "各组每轮的方案",
        "per_wan": "每万元换来了什么",
        "per_wan_hint": "用相同随机种子、去掉该路径重跑各组村庄：期末{metric}之差，除以该路径的花费（万元）。",
        "path": "路径",
        "teams_used": "小组数",
        "spent_total": "花费（万元）",
        "gain_total": "差值",
        "per_wan_col": "每万元",
        "computing": "正在计算复盘……",
        "best_plan": "同等预算下的最优方案",
        "no_planner": "当前版本没有方案优化器（villagesim plan）。",
        "export": "导出本场课堂",
        "projector": "投影视图",
        "console": "培训老师控制台",
        "console_link": "保存此链接，以便重新打开控制台：",
        "your_team": "小组“{name}”",
        "budget_left": "剩余预算：{left:g} / {total:g} 万元",
        "your_plan": "第 {r} 轮方案（第 {a}–{b} 月）",
        "intensity": "力度",
        "start_month": "起始月",
        "plan_cost": "该方案需要 {cost:g} 万元",
        "submit": "提交方案",
        "resubmit": "修改后重新提交",
        "sent": "方案已提交，等待培训老师运行本轮……",
        "your_village": "本组村庄",
        "events": "大事记",
        "no_events": "暂无大事。",
        "spending": "投入",
        "spent_so_far": "已投入 {spent:g} 万元",
        "lobby": "等待培训老师……",
        "none": "无",
        "month_short": "{m}月",
        "connection_lost": "连接中断，正在重试……",
        "other_lang": "English",
        "team_event": "{team}：{line}",
        "the_end": "课堂已结束，请看投影上的复盘。",
    },
}

SHARED = ("intervention.", "metric.", "preset.", "axis_month", "month", "separator")


def say(key: str, lang: str, **values) -> str:
    """The refusal ``key`` in ``lang`` with ``values`` filled in."""
    return REFUSALS[lang][key].format(**values)


def word(key: str, lang: str, **values) -> str:
    """A page phrase in ``lang``."""
    phrase = PAGE[lang][key]
    return phrase.format(**values) if values else phrase


def page_words(lang: str) -> dict[str, str]:
    """Everything a classroom page shows, for its script: the classroom's words and the shared ones."""
    shared = {key: value for key, value in TEXT[lang].items() if key.startswith(SHARED)}
    return {**shared, **PAGE[lang]}
