//! What the dashboard shows instead of its panes: the administration screen ("Cadastros",
//! with the photos it sends and the records it saves) and the voluntary password change.

use super::{Dashboard, Event, Message};
use crate::pane::{Ctx, alarmes};
use crate::screen::password;
use iced::widget::container;
use iced::{Element, Fill, Task};

impl Dashboard {
    pub(super) fn overlay(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let ctx = Ctx {
            model: self.desk.model(),
            now: self.now,
            tz: self.tz,
            user: &self.session.user,
            photos: &self.photos,
        };
        match message {
            Message::Cadastros => match self.admin.take() {
                Some(_) => {}
                None if crate::screen::admin::State::allowed(&ctx) => {
                    let (admin, task) = crate::screen::admin::State::open(&ctx);
                    self.admin = Some(admin);
                    return (task.map(Message::Admin), None);
                }
                None => {}
            },
            Message::Admin(m) => {
                let Some(admin) = self.admin.as_mut() else { return (Task::none(), None) };
                let (task, event) = admin.update(m, &ctx);
                let effect = match event {
                    Some(crate::screen::admin::Event::Issue(command)) => self.issue(*command, None),
                    Some(crate::screen::admin::Event::SendPhoto(person, path)) => {
                        self.send_photo(person, path)
                    }
                    Some(crate::screen::admin::Event::SearchAudit(query)) => {
                        let api = self.session.api.clone();
                        let search =
                            async move { api.audit(&query).await.map_err(|e| crate::text::api_error(&e)) };
                        Task::perform(search, |r| {
                            use crate::screen::admin::{Message as A, audit::Message as M};
                            Message::Admin(A::Audit(M::Found(r)))
                        })
                    }
                    Some(crate::screen::admin::Event::Users(request)) => self.users_request(request),
                    Some(crate::screen::admin::Event::Rules(request)) => self.rules_request(request),
                    Some(crate::screen::admin::Event::Profiles(request)) => self.profiles_request(request),
                    Some(crate::screen::admin::Event::Investigate(request)) => self.investigate(request),
                    Some(crate::screen::admin::Event::ZoneHistory(zone)) => self.zone_history(zone),
                    Some(crate::screen::admin::Event::ShowZone(zone)) => {
                        self.admin = None;
                        return self.update(Message::Mapa(crate::pane::mapa::Message::ShowZone(zone)));
                    }
                    Some(crate::screen::admin::Event::Reports(request)) => {
                        return self.reports_request(request);
                    }
                    Some(crate::screen::admin::Event::PersonShown(person)) => {
                        use crate::screen::admin::person_documents::Request;
                        let documents = self.documents_request(Request::Load(person));
                        if !self.session.user.can(atalaia_core::auth::Permission::AlarmRead) {
                            return (Task::batch([task.map(Message::Admin), documents]), None);
                        }
                        let api = self.session.api.clone();
                        let path = format!("/alarms?subject={person}");
                        let fetch =
                            async move { api.get(&path).await.map_err(|e| crate::text::api_error(&e)) };
                        let alarms = Task::perform(fetch, move |r| {
                            use crate::screen::admin::{Message as A, people::Message as P};
                            Message::Admin(A::People(P::Alarms(person, r)))
                        });
                        Task::batch([documents, alarms])
                    }
                    Some(crate::screen::admin::Event::Documents(request)) => self.documents_request(request),
                    Some(crate::screen::admin::Event::Close) => {
                        self.admin = None;
                        Task::none()
                    }
                    None => Task::none(),
                };
                return (Task::batch([task.map(Message::Admin), effect]), None);
            }
            Message::FileDropped(path) if self.admin.as_ref().is_some_and(|a| a.shown_person().is_some()) => {
                use crate::screen::admin::{Message as A, people::Message as P};
                return self.update(Message::Admin(A::People(P::Dropped(path))));
            }
            Message::Photo(id, result) => self.photos.arrived(id, result),
            Message::PersonSaved(id, result) => {
                let form = |r: &Result<Box<atalaia_core::monitoring::Person>, String>| {
                    crate::form::person::Message::Saved(id, r.clone())
                };
                let mut tasks =
                    vec![self.update(Message::Alarmes(alarmes::Message::Person(form(&result)))).0];
                if self.admin.is_some() {
                    let m = crate::screen::admin::Message::People(
                        crate::screen::admin::people::Message::Form(form(&result)),
                    );
                    tasks.push(self.update(Message::Admin(m)).0);
                }
                return (Task::batch(tasks), None);
            }
            Message::ZoneSaved(id, result) => {
                use crate::pane::mapa;
                let mut tasks = Vec::new();
                if self.admin.is_some() {
                    let m = crate::screen::admin::zones::Message::Saved(id, result.clone());
                    tasks.push(self.update(Message::Admin(crate::screen::admin::Message::Zones(m))).0);
                }
                let m = mapa::Message::Zone(mapa::zones::Message::Saved(id, result));
                tasks.push(self.update(Message::Mapa(m)).0);
                return (Task::batch(tasks), None);
            }
            Message::Senha if self.password.take().is_none() => {
                let form = password::Form::new(password::Why::Voluntary, &self.session.user.username, None);
                let focus = form.focus();
                self.password = Some(form);
                return (focus, None);
            }
            Message::Password(m) => {
                let Some(form) = self.password.as_mut() else { return (Task::none(), None) };
                let (task, event) = form.update(m, &self.session.api);
                if event == Some(password::Event::Changed) {
                    // The replaced password must not open this console offline: the session kept
                    // for that is forgotten until the next login with the new one keeps it again.
                    self.desk.forget_seat();
                }
                if event.is_some() {
                    self.password = None;
                }
                return (task.map(Message::Password), None);
            }
            _ => {}
        }
        (Task::none(), None)
    }

    /// Carries out a request of the users tab; its answer goes back to the tab.
    fn users_request(&self, request: crate::screen::admin::users::Request) -> Task<Message> {
        use crate::screen::admin::users::{Message as U, Request};
        use crate::screen::admin::{Message as A, users};
        let api = self.session.api.clone();
        let said = |e: atalaia_client::ApiError| crate::text::api_error(&e);
        let to_tab = |m: U| Message::Admin(A::Users(m));
        match request {
            Request::Load => Task::perform(
                async move {
                    let users = api.users().await.map_err(said)?;
                    let profiles = api.profiles().await.map_err(said)?;
                    Ok((users, profiles))
                },
                move |r| to_tab(users::Message::Loaded(r)),
            ),
            Request::Give { user, profile, name } => Task::perform(
                async move {
                    let u = api.give_profile(user, &profile).await.map_err(said)?;
                    Ok(format!("{} agora tem o perfil {name}.", u.display_name))
                },
                move |r| to_tab(U::Done(r)),
            ),
            Request::Unlock { user, reason } => Task::perform(
                async move {
                    api.unlock(user, &reason).await.map_err(said)?;
                    Ok("Login desbloqueado.".to_owned())
                },
                move |r| to_tab(U::Done(r)),
            ),
            Request::Create { user, profile } => Task::perform(
                async move {
                    let created: atalaia_core::wire::UserInfo =
                        api.post("/users", &*user).await.map_err(said)?;
                    if let Some(profile) = profile {
                        api.give_profile(created.id, &profile).await.map_err(said)?;
                    }
                    Ok((
                        created.id,
                        format!("{} cadastrado; troca a senha no primeiro acesso.", created.display_name),
                    ))
                },
                move |r| to_tab(U::Created(r)),
            ),
            Request::Unit { user, unit, reason } => Task::perform(
                async move {
                    let body = atalaia_core::wire::UserUnit { unit, reason };
                    let path = format!("/users/{user}/unit");
                    let u: atalaia_core::wire::UserInfo = api.put(&path, &body).await.map_err(said)?;
                    Ok(format!(
                        "{} agora é da unidade: {}.",
                        u.display_name,
                        atalaia_client::access::unit_label(u.unit.as_deref())
                    ))
                },
                move |r| to_tab(U::Done(r)),
            ),
            Request::Active { user, active, reason } => Task::perform(
                async move {
                    let body = atalaia_core::wire::UserActivation { active, reason };
                    let path = format!("/users/{user}/active");
                    let u: atalaia_core::wire::UserInfo = api.post(&path, &body).await.map_err(said)?;
                    Ok(if active {
                        format!("Acesso de {} reativado.", u.display_name)
                    } else {
                        format!(
                            "Acesso de {} desativado; as sessões abertas foram encerradas.",
                            u.display_name
                        )
                    })
                },
                move |r| to_tab(U::Done(r)),
            ),
        }
    }

    /// Carries out a request of the reports tab: a report fetched and saved, a saved one opened,
    /// or a track shown on the map (the panel again, the map's playback over the period).
    fn reports_request(
        &mut self,
        request: crate::screen::admin::reports::Request,
    ) -> (Task<Message>, Option<Event>) {
        use crate::screen::admin::Message as A;
        use crate::screen::admin::reports::{Message as R, Request};
        let to_tab = |m: R| Message::Admin(A::Reports(m));
        match request {
            Request::Save(report) => {
                let api = self.session.api.clone();
                let files = self.files.clone();
                let fetch = async move {
                    let bytes = api.get_bytes(&report.path).await.map_err(|e| crate::text::api_error(&e))?;
                    tokio::task::spawn_blocking(move || files.save(&report.file, &bytes))
                        .await
                        .map_err(|e| e.to_string())?
                        .map_err(|e| format!("Não foi possível salvar o relatório: {e}"))
                };
                (Task::perform(fetch, move |r| to_tab(R::Saved(r))), None)
            }
            Request::Open(path) => {
                let files = self.files.clone();
                let open = async move {
                    tokio::task::spawn_blocking(move || files.open(&path))
                        .await
                        .map_err(|e| e.to_string())?
                        .map_err(|e| format!("Não abriu: {e}"))
                };
                let said = move |r: Result<(), String>| r.err().map(|why| to_tab(R::NotOpened(why)));
                (Task::perform(open, said).and_then(Task::done), None)
            }
            Request::ShowTrack { person, title, from, to } => {
                self.admin = None;
                use crate::pane::mapa::{self, track};
                let show = track::Message::Show(track::Subject::Person(person), title, from, to);
                self.update(Message::Mapa(mapa::Message::Track(show)))
            }
        }
    }

    /// Asks for a zone's history; the answer goes back to the zones tab.
    fn zone_history(&self, zone: atalaia_core::ids::ZoneId) -> Task<Message> {
        use crate::screen::admin::{Message as A, zones::Message as Z};
        let api = self.session.api.clone();
        let path = format!("/zones/{zone}/history");
        let fetch = async move { api.get(&path).await.map_err(|e| crate::text::api_error(&e)) };
        Task::perform(fetch, move |r| Message::Admin(A::Zones(Z::History(zone, r))))
    }

    /// Runs an investigative query; its answer goes back to the tab.
    fn investigate(&self, request: crate::screen::admin::investigation::Request) -> Task<Message> {
        use crate::screen::admin::Message as A;
        use crate::screen::admin::investigation::{Found, Message as I};
        use atalaia_client::investigation::Query;
        let api = self.session.api.clone();
        let said = |e: atalaia_client::ApiError| crate::text::api_error(&e);
        let path = request.path;
        let ask = async move {
            Ok(match request.query {
                Query::Nearby => Found::Nearby(api.get(&path).await.map_err(said)?),
                Query::Encounters => Found::Encounters(api.get(&path).await.map_err(said)?),
                Query::CommonPlaces => Found::Places(api.get(&path).await.map_err(said)?),
            })
        };
        Task::perform(ask, |r| Message::Admin(A::Investigation(I::Found(r))))
    }

    /// Carries out a request of the profiles tab; its answer goes back to the tab.
    fn profiles_request(&self, request: crate::screen::admin::profiles::Request) -> Task<Message> {
        use crate::screen::admin::Message as A;
        use crate::screen::admin::profiles::{Message as P, Request};
        let api = self.session.api.clone();
        let said = |e: atalaia_client::ApiError| crate::text::api_error(&e);
        match request {
            Request::Load => Task::perform(async move { api.profiles().await.map_err(said) }, |r| {
                Message::Admin(A::Profiles(P::Loaded(r)))
            }),
            Request::Save { body, new } => Task::perform(
                async move {
                    let saved: atalaia_core::auth::Profile = if new {
                        api.post("/profiles", &*body).await.map_err(said)?
                    } else {
                        let path = format!("/profiles/{}", atalaia_client::api::segment(&body.id));
                        api.put(&path, &*body).await.map_err(said)?
                    };
                    Ok(format!("Perfil {} salvo; vale para seus usuários desde já.", saved.name))
                },
                |r| Message::Admin(A::Profiles(P::Saved(r))),
            ),
        }
    }

    /// Carries out a request of the rules tab; its answer goes back to the tab.
    fn rules_request(&self, request: crate::screen::admin::rules::Request) -> Task<Message> {
        use crate::screen::admin::rules::{Lists, Message as R, Request};
        use crate::screen::admin::{Message as A, rules};
        let api = self.session.api.clone();
        let said = |e: atalaia_client::ApiError| crate::text::api_error(&e);
        let to_tab = |m: R| Message::Admin(A::Rules(m));
        match request {
            Request::Load => Task::perform(
                async move {
                    Ok(Lists {
                        procedures: api.get("/procedures").await.map_err(said)?,
                        groups: api.get("/group-rules").await.map_err(said)?,
                        notifications: api.get("/notification-rules").await.map_err(said)?,
                    })
                },
                move |r| to_tab(rules::Message::Loaded(r)),
            ),
            Request::Procedure(kind, body) => Task::perform(
                async move {
                    let kind_key =
                        serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned));
                    let path = format!("/procedures/{}", kind_key.unwrap_or_default());
                    let p: atalaia_core::alarm::Procedure = api.put(&path, &body).await.map_err(said)?;
                    Ok(format!("Procedimento salvo: {}.", atalaia_client::rules::procedure_label(&p)))
                },
                move |r| to_tab(R::Saved(r)),
            ),
            Request::Group(group, body) => Task::perform(
                async move {
                    let path = format!("/group-rules/{}", atalaia_client::api::segment(&group));
                    let g: atalaia_core::monitoring::GroupRules =
                        api.put(&path, &body).await.map_err(said)?;
                    Ok(format!("Regras do grupo {} salvas; valem desde já.", g.group))
                },
                move |r| to_tab(R::Saved(r)),
            ),
            Request::Notification(name, body) => Task::perform(
                async move {
                    let path = format!("/notification-rules/{}", atalaia_client::api::segment(&name));
                    let n: atalaia_core::notify::NotificationRule =
                        api.put(&path, &body).await.map_err(said)?;
                    Ok(format!("Regra de notificação {} salva.", n.name))
                },
                move |r| to_tab(R::Saved(r)),
            ),
        }
    }

    /// The screen shown instead of the panes, if one is open.
    pub(super) fn view_overlay<'a>(&'a self, ctx: &Ctx<'a>) -> Option<Element<'a, Message>> {
        if let Some(form) = &self.password {
            let card = container(form.view().map(Message::Password)).padding(28).style(crate::theme::card);
            return Some(container(card).center(Fill).into());
        }
        self.admin.as_ref().map(|admin| admin.view(ctx).map(Message::Admin))
    }
}
