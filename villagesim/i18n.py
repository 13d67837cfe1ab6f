"""Every word the browser view and the event log show, in English and Chinese.

:func:`text` looks a phrase up by key; the tables below are the only place
where user-facing words live, so a missing translation is a ``KeyError`` in
the tests rather than an English word on a Chinese page (the classroom's own
words are in :mod:`villagesim.classroom.words`, which uses these for the rest).

Examples
--------
>>> text("month", "zh", m=12)
'第 12 月'
>>> text("intervention.venue", "en")
'Service centre'
>>> from villagesim.events import Event
>>> describe(Event(12, "intervention_started", "venue"), "en")
'Month 12: service centre opened'
>>> describe(Event(30, "project_viable", 0), "zh")
'第 30 月：项目达到规模，落地生根'
>>> describe(Event(7, "intervention_changed", "interventions.training.intensity", 0.6), "en")
'Month 7: Member training: intensity set to 0.6'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from villagesim.events import Event

LANGUAGES = ("zh", "en")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Village Party branch: mobilising the village",
        "month": "Month {m}",
        "separator": ": ",
        # run controls
        "run": "Run",
        "step": "Step",
        "play": "Play",
        "pause": "Pause",
        "reset": "Reset",
        "speed": "Speed (months per second)",
        "preset": "Village type",
        "preset.ageing": "Hollowed and ageing village",
        "preset.calibrated": "Calibrated on 19 real villages",
        "preset.default": "Ordinary village",
        "preset.hollowed": "Hollowed-out mountain village",
        "preset.post_poverty": "Recently out of poverty",
        "preset.suburban": "Village near a town",
        "preset.tourism": "Tourism village",
        "preset.weak_rallying": "Village the branch cannot rally",
        "preset.weak_service": "Village the branch serves poorly",
        "seed": "Random seed",
        "new_seed": "New seed",
        "village": "Village",
        "show": "Show",
        "hide": "Hide",
        "interventions": "Interventions (seed paper §4)",
        "extensions": "Extensions (the server's --extension files)",
        "intensity": "intensity",
        "start": "start month",
        "reset_needed": "Village changes take effect at Reset.",
        "mid_run": "Intervention changes take effect from the next month and are marked on the charts.",
        # budget and the planner
        "budget": "Budget",
        "budget_amount": "Budget: {amount:g} 万元 over {months} months",
        "plan_cost": "This plan costs {cost:.1f} 万元 over {months} months",
        "over_budget": "Over budget by {over:.1f} 万元",
        "within_budget": "Within budget ({left:.1f} 万元 left)",
        "best_plan": "Best plan for this village",
        "planning": "Searching plans ({runs} runs so far)…",
        "plan_nothing": "no path",
        "plan_tied": "Statistically tied with: {names}",
        "plan_bounded": "A quick search over {seeds} seeds: a longer search may find a better plan.",
        "plan_heading": "Best plan within the budget",
        "plan_path": "{path}: intensity {x:.2f}, from month {s}",
        "plan_outcome": "Participation {mean:.3f} [{low:.3f}, {high:.3f}] (95% CI)",
        "plan_spend": "Cost {cost:.1f} 万元",
        "projection_on": "Projection mode",
        "projection_off": "Leave projection mode",
        "apply_plan": "Use this plan",
        "plan_only": "{path} only",
        "plan_numbered": "plan {k}",
        "surety": "Best buy in {share:.0%} of {points} plausible worlds (95% CI {low:.0%}–{high:.0%}; "
                  "{seeds} seeds each), against doing nothing and each path alone at this budget",
        "surety_driver": "What would change it: {param} (plausible {lo:g}–{hi:g}): best in {low_share:.0%} of the "
                         "worlds where it is low, {high_share:.0%} where it is high",
        "surety_rival": "; where it is not, {rival} does more",
        "surety_rival_nothing": "; where it is not, doing nothing does at least as well",
        "surety_steady": "No single assumption stands out as changing it on these worlds",
        "surety_checking": "Checking how sure the model is ({runs} of {total} runs)…",
        "not_applied": "Not applied",
        # tabs and panels
        "tab_live": "Live run",
        "tab_compare": "Comparison",
        "network": "Village network",
        "show_network": "Show network",
        "colour_by": "Colour by",
        "charts": "Live charts",
        "events": "Event log",
        "no_events": "Nothing has happened yet.",
        "export": "Export",
        "csv": "Time series (CSV)",
        "png": "Charts (PNG)",
        "axis_month": "month",
        "marker_changed": "dashed line: intervention changed",
        "marker_started": "dotted line: intervention began",
        # network legend
        "colour.role": "Role",
        "colour.participation": "Participation",
        "colour.trust": "Trust",
        "role.0": "Villager",
        "role.1": "Young person (18–40)",
        "role.2": "Party member",
        "shape": "Shape: ● villager  ▲ young person  ■ Party member",
        "participating": "took part this month",
        "not_participating": "did not take part",
        "trust_scale": "trust in the branch: low → high",
        "away": "faded: away working in the city",
        # metrics
        "metric.participation_rate": "Participation",
        "metric.project_uptake": "Project uptake",
        "metric.trust_mean": "Mean trust",
        "metric.active_members": "Active members",
        "metric.youth_present_share": "Young people present",
        "metric.branch_strength": "Branch strength",
        "metric.members": "Party members",
        "metric.cost_cumulative": "Cost so far (10k yuan)",
        # village parameters
        "param.village.population": "Adults",
        "param.village.hamlets": "Hamlets",
        "param.village.youth_share": "Young people (18–40), share",
        "param.village.elderly_share": "Elderly (60+), share",
        "param.village.opportunity": "Local economic opportunity",
        "param.village.trust_mean": "Initial trust in the branch",
        "param.branch.member_share": "Party members, share of adults",
        "param.migration.initial_away_youth": "Young people away at the start",
        "param.project.potential": "Project potential",
        "param.project.start": "Project launch month",
        # interventions
        "intervention.standardization": "Standardised branch work",
        "intervention.training": "Member training",
        "intervention.venue": "Service centre",
        "intervention.digital": "Digital platform",
        "intervention.recruitment": "Recruiting young members",
        # comparison
        "config_a": "Configuration A",
        "config_b": "Configuration B",
        "same_village": "Both use the village on the left and the same seeds (common random numbers); "
                        "only the interventions differ.",
        "seeds": "Seeds",
        "months": "Months",
        "run_compare": "Run comparison",
        "running": "Running {done} of {total} runs…",
        "difference": "Difference B − A",
        "band": "lines: mean over {n} seeds; bands: 5–95% of seeds",
        "metric": "Measure (final month)",
        "diff_ci": "B − A (95% CI)",
        "compare_png": "Comparison charts (PNG)",
        "compare_hint": "Set two configurations and press “Run comparison”.",
    },
    "zh": {
        "title": "村党支部组织动员群众模拟",
        "month": "第 {m} 月",
        "separator": "：",
        "run": "运行控制",
        "step": "单步",
        "play": "运行",
        "pause": "暂停",
        "reset": "重置",
        "speed": "速度（每秒月数）",
        "preset": "村庄类型",
        "preset.ageing": "空心化、老龄化村",
        "preset.calibrated": "校准村（19 个真实村庄）",
        "preset.default": "普通村",
        "preset.hollowed": "空心化山区村",
        "preset.post_poverty": "脱贫村",
        "preset.suburban": "城郊村",
        "preset.tourism": "乡村旅游村",
        "preset.weak_rallying": "凝聚群众能力弱的村",
        "preset.weak_service": "服务群众能力弱的村",
        "seed": "随机种子",
        "new_seed": "换一个种子",
        "village": "村庄参数",
        "show": "展开",
        "hide": "收起",
        "interventions": "干预措施（论文第四部分）",
        "extensions": "扩展（服务器以 --extension 载入的文件）",
        "intensity": "力度",
        "start": "起始月",
        "reset_needed": "村庄参数在重置后生效。",
        "mid_run": "调整干预措施从下个月起生效，并在图中标出。",
        # 预算与方案
        "budget": "预算",
        "budget_amount": "预算：{amount:g} 万元（{months} 个月）",
        "plan_cost": "当前方案 {months} 个月花费 {cost:.1f} 万元",
        "over_budget": "超出预算 {over:.1f} 万元",
        "within_budget": "在预算之内（剩余 {left:.1f} 万元）",
        "best_plan": "为本村找最优方案",
        "planning": "正在搜索方案（已运行 {runs} 次）…",
        "plan_nothing": "不采取措施",
        "plan_tied": "统计上与之持平：{names}",
        "plan_bounded": "快速搜索（{seeds} 个随机种子）；更充分的搜索可能找到更好的方案。",
        "plan_heading": "预算内的最优方案",
        "plan_path": "{path}：强度 {x:.2f}，第 {s} 月起",
        "plan_outcome": "村务参与率 {mean:.3f} [{low:.3f}, {high:.3f}]（95% 置信区间）",
        "plan_spend": "花费 {cost:.1f} 万元",
        "projection_on": "投影模式",
        "projection_off": "退出投影模式",
        "apply_plan": "采用此方案",
        "plan_only": "仅{path}",
        "plan_numbered": "方案 {k}",
        "surety": "在 {points} 个合理情形中有 {share:.0%} 是最划算的选择（95% 置信区间 {low:.0%}–{high:.0%}；"
                  "每个情形 {seeds} 个随机种子），对照为同等预算下不采取措施和单独采用每条路径",
        "surety_driver": "最可能改变结论的是 {param}（合理范围 {lo:g}–{hi:g}）：取值偏低的情形中 {low_share:.0%} 最划算，"
                         "偏高的情形中 {high_share:.0%}",
        "surety_rival": "；不是最划算时，{rival}效果更好",
        "surety_rival_nothing": "；不是最划算时，不采取措施效果不差于它",
        "surety_steady": "在这些情形中，没有哪一项假设明显改变结论",
        "surety_checking": "正在检验模型有多确定（已运行 {runs} / {total} 次）…",
        "not_applied": "未应用",
        "tab_live": "实时运行",
        "tab_compare": "方案对比",
        "network": "村庄社会网络",
        "show_network": "显示网络",
        "colour_by": "着色依据",
        "charts": "实时图表",
        "events": "大事记",
        "no_events": "暂无事件。",
        "export": "导出",
        "csv": "时间序列（CSV）",
        "png": "图表（PNG）",
        "axis_month": "月",
        "marker_changed": "虚线：调整干预措施",
        "marker_started": "点线：干预措施启动",
        "colour.role": "身份",
        "colour.participation": "参与",
        "colour.trust": "信任",
        "role.0": "普通村民",
        "role.1": "青年（18–40 岁）",
        "role.2": "党员",
        "shape": "形状：● 村民  ▲ 青年  ■ 党员",
        "participating": "本月参与村务",
        "not_participating": "本月未参与",
        "trust_scale": "对党支部的信任：低 → 高",
        "away": "淡色：外出务工",
        "metric.participation_rate": "村务参与率",
        "metric.project_uptake": "项目参与率",
        "metric.trust_mean": "平均信任度",
        "metric.active_members": "活跃党员",
        "metric.youth_present_share": "青年在村比例",
        "metric.branch_strength": "支部组织力",
        "metric.members": "党员人数",
        "metric.cost_cumulative": "累计投入（万元）",
        "param.village.population": "成年人口",
        "param.village.hamlets": "自然村数",
        "param.village.youth_share": "青年（18–40 岁）比例",
        "param.village.elderly_share": "老年人（60 岁以上）比例",
        "param.village.opportunity": "本地经济机会",
        "param.village.trust_mean": "对党支部的初始信任",
        "param.branch.member_share": "党员占成年人比例",
        "param.migration.initial_away_youth": "初始外出青年比例",
        "param.project.potential": "项目潜力",
        "param.project.start": "项目启动月",
        "intervention.standardization": "支部标准化规范化建设",
        "intervention.training": "党员教育培训",
        "intervention.venue": "党群服务中心",
        "intervention.digital": "智慧党建平台",
        "intervention.recruitment": "发展年轻党员",
        "config_a": "方案 A",
        "config_b": "方案 B",
        "same_village": "两个方案使用左侧的同一村庄和相同的随机种子（共同随机数），只有干预措施不同。",
        "seeds": "随机种子数",
        "months": "模拟月数",
        "run_compare": "运行对比",
        "running": "正在运行第 {done} / {total} 次…",
        "difference": "差值 B − A",
        "band": "线：{n} 个种子的均值；阴影：种子间 5%–95% 区间",
        "metric": "指标（最后一个月）",
        "diff_ci": "B − A（95% 置信区间）",
        "compare_png": "对比图表（PNG）",
        "compare_hint": "设定两个方案，然后点击“运行对比”。",
    },
}

EVENTS: dict[str, dict[str, str]] = {
    "en": {
        "started.standardization": "standardised branch work began",
        "started.training": "member training began",
        "started.venue": "service centre opened",
        "started.digital": "digital platform launched",
        "started.recruitment": "recruitment drive began",
        "changed.intensity": "{name}: intensity set to {value:g}",
        "changed.start": "{name}: start moved to month {value}",
        "changed": "{subject} set to {value}",
        "project_launched": "project launched",
        "project_viable": "project became viable",
        "project_failed": "project failed to take root",
        "members_admitted": "{value} new members admitted",
        "village": " (village {v})",
    },
    "zh": {
        "started.standardization": "支部标准化规范化建设启动",
        "started.training": "党员培训启动",
        "started.venue": "党群服务中心开放",
        "started.digital": "智慧党建平台上线",
        "started.recruitment": "发展年轻党员工作启动",
        "changed.intensity": "{name}力度调整为 {value:g}",
        "changed.start": "{name}起始月调整为第 {value} 月",
        "changed": "{subject} 调整为 {value}",
        "project_launched": "集体项目启动",
        "project_viable": "项目达到规模，落地生根",
        "project_failed": "项目未能落地生根",
        "members_admitted": "发展新党员 {value} 名",
        "village": "（第 {v} 村）",
    },
}


def preset_label(name: str, lang: str) -> str:
    """A preset's name for people; a user's own scenario file keeps its file name."""
    return TEXT[lang].get(f"preset.{name}", name)


def text(key: str, lang: str, **values) -> str:
    """The phrase ``key`` in ``lang``, with ``values`` filled in."""
    phrase = TEXT[lang][key]
    return phrase.format(**values) if values else phrase


def describe(event: Event, lang: str = "en", villages: int = 1) -> str:
    """One line of the event log in ``lang`` (``en`` or ``zh``)."""
    words = EVENTS[lang]
    if event.code == "intervention_started":
        line = words[f"started.{event.subject}"]
    elif event.code == "intervention_changed":
        _, name, field = str(event.subject).split(".", 2)
        pattern = words.get(f"changed.{field}", words["changed"])
        line = pattern.format(name=text(f"intervention.{name}", lang), subject=event.subject, value=event.value)
    else:
        line = words[event.code].format(subject=event.subject, value=event.value)
    if event.code.startswith("project_") and villages > 1:
        line += words["village"].format(v=event.subject)
    return text("month", lang, m=event.month) + text("separator", lang) + line


def surety_lines(surety: dict, lang: str) -> list[str]:
    """How sure the model is of a plan (:meth:`villagesim.best_buy.Surety.to_json`) in two lines of ``lang``:
    the share of worlds where it is the best buy, and what would change it.

    >>> surety_lines({"share": 0.75, "ci": [0.41, 0.93], "points": 8, "seeds": 2, "rival": "training", "driver": {
    ...     "key": "interventions.digital.reach", "range": [0.2, 0.6], "low_share": 0.5, "high_share": 1.0}}, "en")[1]
    'What would change it: interventions.digital.reach (plausible 0.2–0.6): best in 50% of the worlds where it is low, 100% where it is high; where it is not, member training does more'
    """
    low, high = surety["ci"]
    lines = [text("surety", lang, share=surety["share"], points=surety["points"], low=low, high=high,
                  seeds=surety["seeds"])]
    driver = surety["driver"]
    if driver is None:
        line = text("surety_steady", lang)
    else:
        line = text("surety_driver", lang, param=driver["key"], lo=driver["range"][0], hi=driver["range"][1],
                    low_share=driver["low_share"], high_share=driver["high_share"])
    if surety["rival"] == "nothing":
        line += text("surety_rival_nothing", lang)
    elif surety["rival"]:
        rival = text(f"intervention.{surety['rival']}", lang)
        line += text("surety_rival", lang, rival=rival if lang == "zh" else rival[0].lower() + rival[1:])
    return [*lines, line]
